// Process file descriptors: open, signal, wait for exit, close.
//
// A pidfd names one process for good: unlike a pid it cannot be recycled, so
// signalling through it never hits an unrelated process that got the same pid.
//
// Waiting: pidfdWait polls the pidfd on Node's own event loop (uv_poll; the
// kernel makes a pidfd readable when its process exits). That costs no thread,
// unlike a dedicated std::thread per wait, and keeps long waits off the libuv
// threadpool, which fs shares and which has only 4 threads by default. Each
// pending wait holds a ref'd handle, so like a pending timer it keeps the
// process alive; once it settles (or is cancelled) the handle is closed and
// nothing of ours is left on the loop, so an idle process exits normally.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <csignal>
#include <unordered_set>

#include "addon.h"
#include "errors.h"

namespace hutch {

struct PidfdWaiter;

struct PidfdRegistry {
  std::unordered_set<PidfdWaiter*> active;  // polling, promise not settled
  size_t closing = 0;                       // uv_close called, callback not run yet
  bool tearingDown = false;
  napi_async_cleanup_hook_handle cleanupHook = nullptr;
};

struct PidfdWaiter {
  uv_poll_t poll;
  // A private dup of the caller's pidfd: the caller may close its fd (even with
  // fs.closeSync) while we poll, and libuv must never see an fd number that was
  // closed and reused under it.
  int fd = -1;
  int userFd = -1;  // the caller's fd, so closeFd(userFd) can cancel this wait
  napi_env env = nullptr;
  napi_deferred deferred = nullptr;
  // Resolving inside a callback scope drains the microtask queue, so `.then`
  // handlers run right away even though we are in a raw libuv callback.
  std::unique_ptr<Napi::AsyncContext> context;
  std::shared_ptr<PidfdRegistry> registry;
};

static void OnClosed(uv_handle_t* h) {
  PidfdWaiter* w = static_cast<PidfdWaiter*>(h->data);
  close(w->fd);
  std::shared_ptr<PidfdRegistry> reg = std::move(w->registry);
  delete w;
  if (--reg->closing == 0 && reg->tearingDown && reg->cleanupHook) {
    napi_remove_async_cleanup_hook(reg->cleanupHook);
    reg->cleanupHook = nullptr;
  }
}

// Takes `w` off the active set and starts closing its handle. The waiter (and
// its deferred and context) stay valid until OnClosed runs on a later tick.
static void Retire(PidfdWaiter* w) {
  w->registry->active.erase(w);
  w->registry->closing++;
  uv_poll_stop(&w->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), OnClosed);
}

static void OnReadable(uv_poll_t* h, int status, int /*events*/) {
  PidfdWaiter* w = static_cast<PidfdWaiter*>(h->data);
  Retire(w);
  Napi::Env env(w->env);
  {
    Napi::HandleScope handles(env);
    Napi::CallbackScope scope(env, *w->context);
    napi_value value = env.Undefined();
    if (status < 0) {
      value = ErrnoError(env, -status, "epoll_wait").Value();
      napi_reject_deferred(w->env, w->deferred, value);
    } else {
      napi_resolve_deferred(w->env, w->deferred, value);
    }
  }
  w->context.reset();
}

// Environment teardown (worker exit, main thread shutdown): close every handle
// without touching JS. The environment waits until the last close callback
// removes this hook.
static void OnTeardown(napi_async_cleanup_hook_handle handle, void* arg) {
  auto* holder = static_cast<std::shared_ptr<PidfdRegistry>*>(arg);
  std::shared_ptr<PidfdRegistry> reg = *holder;
  delete holder;
  reg->tearingDown = true;
  reg->cleanupHook = handle;
  std::vector<PidfdWaiter*> pending(reg->active.begin(), reg->active.end());
  for (PidfdWaiter* w : pending) {
    (void)w->context.release();  // no JS calls during teardown; freed with the env
    Retire(w);
  }
  if (reg->closing == 0) {
    napi_remove_async_cleanup_hook(handle);
    reg->cleanupHook = nullptr;
  }
}

void CancelPidfdWaits(Napi::Env env, int fd) {
  PidfdRegistry& reg = *Data(env).pidfds;
  std::vector<PidfdWaiter*> hits;
  for (PidfdWaiter* w : reg.active)
    if (w->userFd == fd) hits.push_back(w);
  for (PidfdWaiter* w : hits) {
    Retire(w);
    // We are inside a JS call: plain rejection is enough, microtasks run after.
    napi_reject_deferred(w->env, w->deferred, ErrnoError(env, ECANCELED, "close").Value());
    w->context.reset();
  }
}

// pidfdOpen(pid: number): number
static Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  int pid = static_cast<int>(IntArg(info, 0, "pid", INT32_MIN, INT32_MAX));
  long fd = syscall(SYS_pidfd_open, pid, 0);  // the kernel always sets O_CLOEXEC
  if (fd < 0) throw ErrnoError(info.Env(), errno, "pidfd_open");
  return Napi::Number::New(info.Env(), static_cast<double>(fd));
}

// pidfdSendSignal(fd: number, signal: number): void
static Napi::Value PidfdSendSignal(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0);
  int sig = static_cast<int>(IntArg(info, 1, "signal", 0, 64));
  if (syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0) < 0)
    throw ErrnoError(info.Env(), errno, "pidfd_send_signal");
  return info.Env().Undefined();
}

// closeFd(fd: number): void. Pending pidfdWait calls on `fd` reject with ECANCELED.
static Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0);
  CancelPidfdWaits(info.Env(), fd);
  // Linux always releases the fd, even when close reports EINTR: never retry.
  if (close(fd) < 0 && errno != EINTR) throw ErrnoError(info.Env(), errno, "close");
  return info.Env().Undefined();
}

// pidfdWait(fd: number): Promise<void>, resolved when the process has exited.
static Napi::Value PidfdWait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int userFd = FdArg(info, 0);
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) throw Napi::Error::New(env, "no event loop");

  int fd = fcntl(userFd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) throw ErrnoError(env, errno, "dup");
  auto* w = new PidfdWaiter();
  w->fd = fd;
  w->userFd = userFd;
  w->env = env;
  // uv_poll_init sets O_NONBLOCK on the (shared) open file; harmless for a pidfd.
  int r = uv_poll_init(loop, &w->poll, fd);
  if (r < 0) {
    close(fd);
    delete w;
    throw ErrnoError(env, -r, "epoll_ctl");
  }
  w->poll.data = w;
  w->registry = Data(env).pidfds;
  w->context = std::make_unique<Napi::AsyncContext>(env, "hutch.pidfdWait");
  napi_value promise;
  napi_create_promise(env, &w->deferred, &promise);
  w->registry->active.insert(w);
  r = uv_poll_start(&w->poll, UV_READABLE, OnReadable);
  if (r < 0) {
    Retire(w);
    napi_reject_deferred(env, w->deferred, ErrnoError(env, -r, "epoll_ctl").Value());
    w->context.reset();
  }
  return Napi::Value(env, promise);
}

void InitPidfd(Napi::Env env, Napi::Object exports) {
  AddonData& data = Data(env);
  data.pidfds = std::make_shared<PidfdRegistry>();
  auto* holder = new std::shared_ptr<PidfdRegistry>(data.pidfds);
  if (napi_add_async_cleanup_hook(env, OnTeardown, holder, nullptr) != napi_ok) {
    delete holder;
    throw Napi::Error::New(env, "napi_add_async_cleanup_hook failed");
  }
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen, "pidfdOpen"));
  exports.Set("pidfdSendSignal", Napi::Function::New(env, PidfdSendSignal, "pidfdSendSignal"));
  exports.Set("pidfdWait", Napi::Function::New(env, PidfdWait, "pidfdWait"));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
}

}  // namespace hutch
