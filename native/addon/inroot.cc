// In-root access to a container's files, for cp, export and diff (engine
// src/engine/fs/). Every path is resolved by the kernel with the directory fd
// as the root (openat2 RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS): an absolute
// symlink restarts at that root, `..` stops there, and a /proc magic link is
// refused, so no name in a container can make hutch open a host file, however
// the container changes it meanwhile (CVE-2018-15664 class). A single name
// (no '/') with `follow` false is looked at with *at(AT_SYMLINK_NOFOLLOW): one
// component, never followed. Names are byte strings (latin1 in JS).
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "addon.h"
#include "errors.h"

namespace hutch {

namespace {

std::string Latin1(const Napi::CallbackInfo& info, size_t i, const char* name) {
  napi_env env = info.Env();
  size_t len = 0;
  if (!info[i].IsString() || napi_get_value_string_latin1(env, info[i], nullptr, 0, &len) != napi_ok)
    ThrowTypeError(info.Env(), std::string("The \"") + name + "\" argument must be of type string");
  std::string out(len + 1, '\0');
  napi_get_value_string_latin1(env, info[i], out.data(), len + 1, &len);
  out.resize(len);
  return out;
}

Napi::Value Latin1Value(Napi::Env env, const std::string& s) {
  napi_value v;
  napi_create_string_latin1(env, s.data(), s.size(), &v);
  return Napi::Value(env, v);
}

constexpr int kFollow = 1;  // follow a symlink in the last component
constexpr int kRead = 2;    // O_RDONLY (a file's data, a directory's entries) instead of O_PATH
constexpr int kDir = 4;     // must be a directory

constexpr uint64_t kResolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

int OpenIn(int dirfd, const std::string& path, int flags) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = O_CLOEXEC | ((flags & kRead) ? (O_RDONLY | O_NONBLOCK | O_NOCTTY) : O_PATH);
  if (!(flags & kFollow)) how.flags |= O_NOFOLLOW;
  if (flags & kDir) how.flags |= O_DIRECTORY;
  how.resolve = kResolve;
  long r;
  do r = syscall(SYS_openat2, dirfd, path.empty() ? "." : path.c_str(), &how, sizeof how);
  while (r < 0 && (errno == EINTR || errno == EAGAIN));
  return static_cast<int>(r);
}

bool SingleName(const std::string& p) {
  return !p.empty() && p.find('/') == std::string::npos && p != "." && p != "..";
}

std::string PathArg(const Napi::CallbackInfo& info, size_t i) {
  std::string p = Latin1(info, i, "path");
  if (p.find('\0') != std::string::npos) ThrowTypeError(info.Env(), "The \"path\" argument must not contain NUL bytes");
  return p;
}

// openRoot(path): open(path, O_PATH|O_DIRECTORY). Follows /proc/PID/root on purpose.
Napi::Value OpenRoot(const Napi::CallbackInfo& info) {
  std::string path = StringArg(info, 0, "path");
  int fd = open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw ErrnoError(info.Env(), errno, "open", path.c_str());
  return Napi::Number::New(info.Env(), fd);
}

// inRootOpen(dirfd, path, flags): an fd on path resolved inside dirfd.
Napi::Value InRootOpen(const Napi::CallbackInfo& info) {
  int dirfd = FdArg(info, 0, "dirfd");
  std::string path = PathArg(info, 1);
  int flags = static_cast<int>(IntArg(info, 2, "flags", 0, 7));
  int fd = OpenIn(dirfd, path, flags);
  if (fd < 0) throw ErrnoError(info.Env(), errno, "openat2", path.c_str());
  return Napi::Number::New(info.Env(), fd);
}

// inRootStat(dirfd, path, follow): Float64Array [mode, uid, gid, size, mtimeSec,
// mtimeNsec, ino, nlink, rdevMajor, rdevMinor, devMajor, devMinor, mntId], or
// null when it does not exist (ENOENT, or ENOTDIR: a parent is not a directory).
Napi::Value InRootStat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dirfd = FdArg(info, 0, "dirfd");
  std::string path = PathArg(info, 1);
  bool follow = info[2].ToBoolean();
  struct statx st;
  unsigned mask = STATX_BASIC_STATS | STATX_MNT_ID;
  int r;
  if (path.empty()) {
    r = statx(dirfd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, mask, &st);  // the fd itself
  } else if (!follow && SingleName(path)) {
    r = statx(dirfd, path.c_str(), AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT, mask, &st);
  } else {
    int fd = OpenIn(dirfd, path, follow ? kFollow : 0);
    if (fd < 0) {
      r = -1;
    } else {
      r = statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, mask, &st);
      int e = errno;
      close(fd);
      errno = e;
    }
  }
  if (r < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return env.Null();
    throw ErrnoError(env, errno, "statx", path.c_str());
  }
  auto out = Napi::Float64Array::New(env, 13);
  double* d = out.Data();
  d[0] = st.stx_mode;
  d[1] = st.stx_uid;
  d[2] = st.stx_gid;
  d[3] = static_cast<double>(st.stx_size);
  d[4] = static_cast<double>(st.stx_mtime.tv_sec);
  d[5] = st.stx_mtime.tv_nsec;
  d[6] = static_cast<double>(st.stx_ino);
  d[7] = st.stx_nlink;
  d[8] = st.stx_rdev_major;
  d[9] = st.stx_rdev_minor;
  d[10] = st.stx_dev_major;
  d[11] = st.stx_dev_minor;
  d[12] = (st.stx_mask & STATX_MNT_ID) ? static_cast<double>(st.stx_mnt_id) : 0;
  return out;
}

// inRootList(dirfd, path): the names in a directory (not . and ..), unsorted.
Napi::Value InRootList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dirfd = FdArg(info, 0, "dirfd");
  std::string path = PathArg(info, 1);
  int fd = OpenIn(dirfd, path, kRead | kDir);
  if (fd < 0) throw ErrnoError(env, errno, "openat2", path.c_str());
  std::vector<std::string> names;
  std::vector<char> buf(64 << 10);
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      throw ErrnoError(env, e, "getdents64", path.c_str());
    }
    if (n == 0) break;
    for (long off = 0; off < n;) {
      auto* de = reinterpret_cast<struct dirent64*>(buf.data() + off);
      off += de->d_reclen;
      const char* nm = de->d_name;
      if (nm[0] == '.' && (nm[1] == 0 || (nm[1] == '.' && nm[2] == 0))) continue;
      names.emplace_back(nm);
    }
  }
  close(fd);
  auto arr = Napi::Array::New(env, names.size());
  for (size_t i = 0; i < names.size(); i++) arr.Set(static_cast<uint32_t>(i), Latin1Value(env, names[i]));
  return arr;
}

// inRootReadlink(dirfd, path): the target of the symlink at path (not followed).
Napi::Value InRootReadlink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dirfd = FdArg(info, 0, "dirfd");
  std::string path = PathArg(info, 1);
  int fd = -1;
  const char* name = path.c_str();
  int at = dirfd;
  if (path.empty()) {
    name = "";  // the fd itself (an O_PATH fd on a symlink)
  } else if (!SingleName(path)) {
    fd = OpenIn(dirfd, path, 0);
    if (fd < 0) throw ErrnoError(env, errno, "openat2", path.c_str());
    at = fd;
    name = "";
  }
  std::vector<char> buf(4096);
  ssize_t n = readlinkat(at, name, buf.data(), buf.size());
  int e = errno;
  if (fd >= 0) close(fd);
  if (n < 0) throw ErrnoError(env, e, "readlinkat", path.c_str());
  return Latin1Value(env, std::string(buf.data(), static_cast<size_t>(n)));
}

// inRootGetXattr(dirfd, path, name): the value of xattr `name` (latin1) of path
// (not followed), or null when it has none. Read through the O_PATH fd's own
// /proc/self/fd link: the same inode, no name resolved again.
Napi::Value InRootGetXattr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dirfd = FdArg(info, 0, "dirfd");
  std::string path = PathArg(info, 1);
  std::string name = StringArg(info, 2, "name");
  int fd = OpenIn(dirfd, path, 0);
  if (fd < 0) throw ErrnoError(env, errno, "openat2", path.c_str());
  std::string self = "/proc/self/fd/" + std::to_string(fd);
  char buf[4096];
  ssize_t n = getxattr(self.c_str(), name.c_str(), buf, sizeof buf);
  int e = errno;
  close(fd);
  if (n < 0) {
    if (e == ENODATA || e == ENOTSUP) return env.Null();
    throw ErrnoError(env, e, "getxattr", path.c_str());
  }
  return Latin1Value(env, std::string(buf, static_cast<size_t>(n)));
}

}  // namespace

void InitInRoot(Napi::Env env, Napi::Object exports) {
  exports.Set("openRoot", Napi::Function::New(env, OpenRoot, "openRoot"));
  exports.Set("inRootOpen", Napi::Function::New(env, InRootOpen, "inRootOpen"));
  exports.Set("inRootStat", Napi::Function::New(env, InRootStat, "inRootStat"));
  exports.Set("inRootList", Napi::Function::New(env, InRootList, "inRootList"));
  exports.Set("inRootReadlink", Napi::Function::New(env, InRootReadlink, "inRootReadlink"));
  exports.Set("inRootGetXattr", Napi::Function::New(env, InRootGetXattr, "inRootGetXattr"));
}

}  // namespace hutch
