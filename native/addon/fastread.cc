// Fast reads of small cgroup and /proc files through fds kept open between
// reads. A dashboard samples many such files several times a second; fs.read*
// costs an open+fstat+read+close and a Buffer per file, and goes through the
// threadpool when async. Here a sample is one pread (plus the EOF probe) per
// file into a reused buffer, and readMany batches a whole sample in one call.
//
// pread at offset 0 makes seq_file and kernfs files (cgroup, /proc) produce
// fresh contents: no lseek and no reopen needed.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "addon.h"
#include "errors.h"

namespace hutch {

static constexpr size_t kInitialBuf = 16 * 1024;
// Stat files are a few KiB; refuse to grow without bound on an endless file.
static constexpr size_t kMaxRead = 64 * 1024 * 1024;

// Reads the whole file at `fd` from offset 0 into `buf`. Returns the length,
// or -errno. Reads until pread returns 0: a short read is not EOF for seq_file
// files larger than a page (/proc/PID/mountinfo, big memory.stat).
// EFBIG past kMaxRead.
static ssize_t ReadAll(int fd, std::vector<char>& buf) {
  if (buf.size() < kInitialBuf) buf.resize(kInitialBuf);
  size_t total = 0;
  for (;;) {
    if (total == buf.size()) {
      if (total >= kMaxRead) return -EFBIG;
      buf.resize(buf.size() * 2);
    }
    ssize_t n = pread(fd, buf.data() + total, buf.size() - total, static_cast<off_t>(total));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (n == 0) return static_cast<ssize_t>(total);
    total += static_cast<size_t>(n);
  }
}

// openRead(path: string): number -- O_RDONLY|O_CLOEXEC
static Napi::Value OpenRead(const Napi::CallbackInfo& info) {
  std::string path = StringArg(info, 0, "path");
  int fd;
  do fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) throw ErrnoError(info.Env(), errno, "open", path.c_str());
  return Napi::Number::New(info.Env(), fd);
}

// preadString(fd: number): string -- the whole file, UTF-8 decoded
static Napi::Value PreadString(const Napi::CallbackInfo& info) {
  int fd = FdArg(info, 0);
  std::vector<char>& buf = Data(info.Env()).readBuf;
  ssize_t n = ReadAll(fd, buf);
  if (n < 0) throw ErrnoError(info.Env(), static_cast<int>(-n), "read");
  return Napi::String::New(info.Env(), buf.data(), static_cast<size_t>(n));
}

// readMany(fds: Int32Array | number[]): (string | null)[]
// null where that fd could not be read (e.g. ENODEV once its cgroup is gone),
// so one vanished container does not fail a whole sample.
static Napi::Value ReadMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<int> fds;
  Napi::Value arg = info[0];
  if (arg.IsTypedArray() && arg.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
    Napi::Int32Array a = arg.As<Napi::Int32Array>();
    fds.assign(a.Data(), a.Data() + a.ElementLength());
  } else if (arg.IsArray()) {
    Napi::Array a = arg.As<Napi::Array>();
    fds.reserve(a.Length());
    for (uint32_t i = 0; i < a.Length(); i++) {
      Napi::Value v = a[i];
      double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
      fds.push_back(d >= 0 && d <= INT32_MAX && d == std::trunc(d) ? static_cast<int>(d) : -1);
    }
  } else {
    ThrowTypeError(env, "The \"fds\" argument must be an Int32Array or an array of numbers");
  }
  std::vector<char>& buf = Data(env).readBuf;
  Napi::Array out = Napi::Array::New(env, fds.size());
  for (size_t i = 0; i < fds.size(); i++) {
    ssize_t n = fds[i] < 0 ? -EBADF : ReadAll(fds[i], buf);
    out.Set(static_cast<uint32_t>(i),
            n < 0 ? env.Null() : Napi::String::New(env, buf.data(), static_cast<size_t>(n)).As<Napi::Value>());
  }
  return out;
}

// readInt(fd: number): number -- a file holding one integer, as cgroup
// counters do (memory.current, pids.current, cpu.weight). "max" (no limit)
// reads as Infinity. Values above 2^53 lose precision (a JS number): no cgroup
// counter we read gets there in practice.
static Napi::Value ReadInt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  char buf[64];
  ssize_t n;
  do n = pread(fd, buf, sizeof buf - 1, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw ErrnoError(env, errno, "read");
  buf[n] = '\0';
  // The whole file must be one integer (or "max") plus whitespace: cpu.max
  // ("max 100000") is not an integer file and must not read as Infinity.
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  const char* p = buf;
  while (space(*p)) p++;
  const char* end = p;
  double value = 0;
  errno = 0;
  if (strncmp(p, "max", 3) == 0) {
    value = std::numeric_limits<double>::infinity();
    end = p + 3;
  } else if ((*p == '-' && p[1] >= '0' && p[1] <= '9') || (*p >= '0' && *p <= '9')) {
    char* e = nullptr;
    value = *p == '-' ? static_cast<double>(strtoll(p, &e, 10)) : static_cast<double>(strtoull(p, &e, 10));
    end = e;
  }
  int err = errno == ERANGE ? ERANGE : end == p ? EINVAL : 0;
  while (space(*end)) end++;
  if (!err && (*end != '\0' || static_cast<size_t>(n) == sizeof buf - 1)) err = EINVAL;
  if (err) throw ErrnoError(env, err, "read");
  return Napi::Number::New(env, value);
}

void InitFastRead(Napi::Env env, Napi::Object exports) {
  exports.Set("openRead", Napi::Function::New(env, OpenRead, "openRead"));
  exports.Set("preadString", Napi::Function::New(env, PreadString, "preadString"));
  exports.Set("readMany", Napi::Function::New(env, ReadMany, "readMany"));
  exports.Set("readInt", Napi::Function::New(env, ReadInt, "readInt"));
}

}  // namespace hutch
