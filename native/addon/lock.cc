// flock(2): advisory whole-file locks. They belong to the open file
// description and die with it, so a hutch process killed mid-operation never
// leaves a stale lock behind.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "addon.h"
#include "errors.h"

namespace hutch {

// 'sh' | 'ex' | 'un' -> LOCK_SH | LOCK_EX | LOCK_UN
static int LockMode(const Napi::CallbackInfo& info, size_t i) {
  std::string mode = StringArg(info, i, "mode");
  if (mode == "sh") return LOCK_SH;
  if (mode == "ex") return LOCK_EX;
  if (mode == "un") return LOCK_UN;
  Napi::TypeError e = Napi::TypeError::New(info.Env(), "The argument 'mode' must be one of: 'sh', 'ex', 'un'. Received '" + mode + "'");
  e.Set("code", Napi::String::New(info.Env(), "ERR_INVALID_ARG_VALUE"));
  throw e;
}

static int FlockRetry(int fd, int op) {
  int r;
  do r = flock(fd, op);
  while (r < 0 && errno == EINTR);
  return r;
}

// flock(fd, mode, nonblock): boolean. False only when nonblock is set and
// another open file holds a conflicting lock.
static Napi::Value Flock(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0);
  int op = LockMode(info, 1);
  bool nonblock = info[2].ToBoolean();
  if (nonblock) op |= LOCK_NB;
  if (FlockRetry(fd, op) < 0) {
    if (nonblock && errno == EWOULDBLOCK) return Napi::Boolean::New(info.Env(), false);
    throw ErrnoError(info.Env(), errno, "flock");
  }
  return Napi::Boolean::New(info.Env(), true);
}

// Blocking flock on a libuv threadpool thread. A wait for a lock held long by
// someone else occupies one of the pool's (default 4) threads for that long:
// meant for locks held briefly.
class LockWorker : public Napi::AsyncWorker {
 public:
  LockWorker(Napi::Env env, int fd, int op)
      : Napi::AsyncWorker(env, "hutch.lockAsync"), fd_(fd), op_(op), deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override { err_ = FlockRetry(fd_, op_) < 0 ? errno : 0; }

  void OnOK() override {
    if (err_) deferred_.Reject(ErrnoError(Env(), err_, "flock").Value());
    else deferred_.Resolve(Env().Undefined());
  }

 private:
  int fd_;
  int op_;
  int err_ = 0;  // errno from Execute; SetError would carry only a message
  Napi::Promise::Deferred deferred_;
};

// lockAsync(fd, mode): Promise<void>
static Napi::Value LockAsync(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0);
  int op = LockMode(info, 1);
  auto* worker = new LockWorker(info.Env(), fd, op);  // deletes itself when done
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// lockHolder(path): null when the file does not exist, else [pid, text]: the
// pid of the process holding a POSIX write lock on it (0 when none; F_GETLK
// only asks, it takes nothing) and the file's first bytes. This is how the
// engine finds a container's live monitor (native/monitor/exitfile.h).
static Napi::Value LockHolder(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = StringArg(info, 0, "path");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return env.Null();
    throw ErrnoError(env, errno, "open", path.c_str());
  }
  struct flock fl = {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  int r = fcntl(fd, F_GETLK, &fl);
  int err = errno;
  char buf[64];
  ssize_t n = r < 0 ? -1 : pread(fd, buf, sizeof buf, 0);
  if (n < 0 && r == 0) err = errno;
  close(fd);
  if (r < 0) throw ErrnoError(env, err, "fcntl", path.c_str());
  if (n < 0) throw ErrnoError(env, err, "read", path.c_str());
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, fl.l_type == F_UNLCK ? 0 : fl.l_pid));
  out.Set(1u, Napi::String::New(env, buf, static_cast<size_t>(n)));
  return out;
}

void InitLock(Napi::Env env, Napi::Object exports) {
  exports.Set("lockHolder", Napi::Function::New(env, LockHolder, "lockHolder"));
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
  exports.Set("lockAsync", Napi::Function::New(env, LockAsync, "lockAsync"));
}

}  // namespace hutch
