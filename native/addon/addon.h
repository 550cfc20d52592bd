// Shared declarations for the hutch_native addon. Each binding file exports an
// Init* function that adds its functions to `exports`; addon.cc calls them all.
//
// The addon only wraps syscalls the engine needs in-process. Anything that
// changes namespaces (unshare, setns, pivot_root) lives in the single-threaded
// hutch-monitor executable instead: the kernel refuses those to a multithreaded
// caller such as Node.
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

namespace hutch {

struct PidfdRegistry;  // pidfd.cc

// Per-environment state (the main thread and each worker get their own),
// stored with napi_set_instance_data and freed with the environment.
struct AddonData {
  // Reused by the fast readers (fastread.cc): stats are read many times a
  // second, so don't allocate a buffer per read. Grows, never shrinks.
  std::vector<char> readBuf;
  // Pending pidfdWait calls. Shared: a waiter's libuv handle may finish
  // closing after the environment has dropped AddonData.
  std::shared_ptr<PidfdRegistry> pidfds;
};

AddonData& Data(Napi::Env env);

void InitPidfd(Napi::Env env, Napi::Object exports);
void InitMount(Napi::Env env, Napi::Object exports);
void InitLock(Napi::Env env, Napi::Object exports);
void InitFastRead(Napi::Env env, Napi::Object exports);
void InitSpawn(Napi::Env env, Napi::Object exports);

// Called by closeFd before it closes `fd`: abandons pidfdWait calls on it.
void CancelPidfdWaits(Napi::Env env, int fd);

}  // namespace hutch
