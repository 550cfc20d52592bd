// Module entry: per-environment state, then one Init* per binding file.
#include "addon.h"

namespace hutch {

AddonData& Data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

void InitExtract(Napi::Env env, Napi::Object exports);  // extract.cc
void InitDevices(Napi::Env env, Napi::Object exports);  // devices.cc
void InitNet(Napi::Env env, Napi::Object exports);      // net.cc
void InitInRoot(Napi::Env env, Napi::Object exports);   // inroot.cc

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData());  // deleted by node-addon-api's default finalizer
  InitPidfd(env, exports);
  InitMount(env, exports);
  InitLock(env, exports);
  InitFastRead(env, exports);
  InitSpawn(env, exports);
  InitExtract(env, exports);
  InitDevices(env, exports);
  InitNet(env, exports);
  InitInRoot(env, exports);
  return exports;
}

}  // namespace hutch

// NODE_API_MODULE pastes the name into an identifier: it must be unqualified.
static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return hutch::Init(env, exports); }
NODE_API_MODULE(hutch_native, InitModule)
