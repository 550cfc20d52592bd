// Creating one layer entry under its resolved parent (see extract.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "extract.h"

namespace hutch::layer {

int OpenInRoot(int rootfd, const std::string& path, int flags, bool cross = false);  // extract_resolve.cc

static LayerError SysError(int err, const char* what, const std::string& path) {
  return {err, std::string(what) + " " + Quote(path) + ": " + strerror(err)};
}

bool DeviceAllowed(Kind kind, uint32_t major, uint32_t minor) {
  if (kind != Kind::Char) return false;
  switch (major) {
    case 1:  // null, zero, full, random, urandom
      return minor == 3 || minor == 5 || minor == 7 || minor == 8 || minor == 9;
    case 5:  // tty, ptmx (not console, see extract.h)
      return minor == 0 || minor == 2;
    default:
      return false;
  }
}

// The process umask, without umask(2): setting it, even briefly, would race
// with files other threads create.
static mode_t ReadUmask() {
  FILE* f = fopen("/proc/self/status", "re");
  if (!f) return 022;
  char line[256];
  mode_t mask = 022;
  while (fgets(line, sizeof line, f)) {
    unsigned m;
    if (sscanf(line, "Umask: %o", &m) == 1) {
      mask = static_cast<mode_t>(m);
      break;
    }
  }
  fclose(f);
  return mask;
}

Extractor::Extractor(int rootfd, int flags)
    : rootfd_(rootfd), flags_(flags), euid_(geteuid()), egid_(getegid()), umask_(ReadUmask()) {
  int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {
    int e = errno;
    close(rootfd);
    throw LayerError{e, std::string("cannot duplicate the root fd: ") + strerror(e)};
  }
  struct stat st;
  chain_.push_back({"", fd, fstat(fd, &st) == 0 && (st.st_mode & S_ISGID)});
}

Extractor::~Extractor() {
  if (open_.fd >= 0) close(open_.fd);
  for (auto& c : chain_) close(c.fd);
  close(rootfd_);
}

bool Extractor::NeedChown(const Meta& m, bool parentSetgid) const {
  if (!(flags_ & kChown)) return false;
  return m.uid != euid_ || m.gid != egid_ || parentSetgid;
}

void Extractor::Clear(int dirfd, const char* name, const std::string& path) {
  RemoveAt(dirfd, name, path);
  Invalidate();
}

void Extractor::SetXattrs(int fd, const std::string& path, const std::vector<Xattr>& xattrs) {
  for (const auto& x : xattrs) {
    if (fsetxattr(fd, x.name.c_str(), x.value.data(), x.value.size(), 0) == 0) continue;
    int e = errno;
    // The filesystem or our privileges do not allow this one: say so, go on.
    if (e == EOPNOTSUPP || e == EPERM || e == EACCES || e == ENOSPC || e == E2BIG || e == EINVAL) {
      skipped_.push_back("layer entry " + Quote(path) + ": xattr " + x.name + " not set: " + strerror(e));
      continue;
    }
    throw LayerError{e, "cannot set xattr " + x.name + ": " + strerror(e)};
  }
}

static void WriteAll(int fd, const char* data, size_t len, const std::string& path) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SysError(errno, "cannot write", path);
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
}

static struct timespec MTime(const Meta& m) { return {static_cast<time_t>(m.mtimeSec), m.mtimeNsec}; }

bool Extractor::Entry(Kind kind, const std::string& path, const std::string& link, const Meta& meta,
                      const char* data, size_t len, uint64_t size, std::vector<Xattr>&& xattrs) {
  if (open_.fd >= 0) throw LayerError{EINVAL, "previous file " + Quote(open_.path) + " is incomplete"};
  if (path.empty() && kind != Kind::Dir) throw LayerError{EINVAL, "only a directory can stand for the root"};
  switch (kind) {
    case Kind::File:
      File(path, meta, data, len, size, std::move(xattrs));
      return open_.fd >= 0;
    case Kind::Dir:
      Dir(path, meta, xattrs);
      break;
    case Kind::Symlink:
      Symlink(path, link, meta);
      if (!xattrs.empty()) skipped_.push_back("layer entry " + Quote(path) + ": xattrs on a symlink not set");
      break;
    case Kind::Hardlink:
      Hardlink(path, link);
      break;
    case Kind::Char:
    case Kind::Block:
    case Kind::Fifo:
      Node(kind, path, meta);
      break;
    default:
      throw LayerError{EINVAL, "unknown entry kind"};
  }
  return false;
}

void Extractor::File(const std::string& path, const Meta& meta, const char* data, size_t len, uint64_t size,
                     std::vector<Xattr>&& xattrs) {
  if (len > size) throw LayerError{EINVAL, "more data than the entry's size"};
  auto [dir, name] = SplitChecked(path);
  int parent = Parent(dir, true);
  bool setgid = chain_.back().setgid;
  mode_t perm = meta.mode & 0777;
  int fd = openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, perm);
  if (fd < 0 && errno == EEXIST) {
    Clear(parent, name.c_str(), path);
    parent = Parent(dir, true);
    setgid = chain_.back().setgid;
    fd = openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, perm);
  }
  if (fd < 0) throw SysError(errno, "cannot create", path);
  open_.fd = fd;
  open_.path = path;
  open_.left = size;
  open_.meta = meta;
  open_.chown = NeedChown(meta, setgid);
  open_.xattrs = std::move(xattrs);
  Data(data, len);
}

bool Extractor::Data(const char* data, size_t len) {
  if (open_.fd < 0) throw LayerError{EINVAL, "no file is open"};
  if (len > open_.left) throw LayerError{EINVAL, "more data than the entry's size"};
  if (len) WriteAll(open_.fd, data, len, open_.path);
  open_.left -= len;
  if (open_.left > 0) return true;
  FinishFile();
  return false;
}

// Order matters: chown clears setuid/setgid and security.capability, so mode
// and xattrs come after it; writing clears them too, so all of it comes after
// the data.
void Extractor::FinishFile() {
  int fd = open_.fd;
  const Meta& m = open_.meta;
  const std::string& path = open_.path;
  if (open_.chown && fchown(fd, m.uid, m.gid) < 0) throw SysError(errno, "cannot chown", path);
  mode_t mode = m.mode & 07777;
  if ((mode & 07000) || (mode & umask_) || open_.chown) {
    if (fchmod(fd, mode) < 0) throw SysError(errno, "cannot chmod", path);
  }
  if (!open_.xattrs.empty()) SetXattrs(fd, path, open_.xattrs);
  struct timespec ts[2] = {{0, UTIME_OMIT}, MTime(m)};
  if (futimens(fd, ts) < 0) throw SysError(errno, "cannot set times of", path);
  open_.fd = -1;
  open_.xattrs.clear();
  if (close(fd) < 0 && errno != EINTR) throw SysError(errno, "cannot close", path);
}

void Extractor::RecordDir(int dirfd, const char* name, const std::string& path, const Meta& meta) {
  struct stat st;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH)) < 0)
    throw SysError(errno, "cannot stat", path);
  size_t depth = 0;
  for (char c : path) depth += c == '/';
  if (!path.empty()) depth++;
  auto it = dirIndex_.find(path);
  if (it != dirIndex_.end()) {
    dirs_[it->second] = {path, st.st_dev, st.st_ino, meta, depth};
    return;
  }
  dirIndex_.emplace(path, dirs_.size());
  dirs_.push_back({path, st.st_dev, st.st_ino, meta, depth});
}

void Extractor::Dir(const std::string& path, const Meta& meta, const std::vector<Xattr>& xattrs) {
  if (path.empty()) {  // "./": the root's own metadata
    int root = chain_[0].fd;
    if ((flags_ & kChown) && fchownat(root, "", meta.uid, meta.gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
      throw SysError(errno, "cannot chown", std::string("."));
    if (!xattrs.empty()) {
      int fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) throw SysError(errno, "cannot open", std::string("."));
      try {
        SetXattrs(fd, ".", xattrs);
      } catch (...) {
        close(fd);
        throw;
      }
      close(fd);
    }
    RecordDir(root, "", path, meta);
    return;
  }
  auto [dir, name] = SplitChecked(path);
  int parent = Parent(dir, true);
  bool setgid = chain_.back().setgid;
  // Owner-writable until Finish sets the real mode: a 0555 directory must
  // still take its children when we are not root.
  if (mkdirat(parent, name.c_str(), 0700) < 0) {
    if (errno != EEXIST) throw SysError(errno, "cannot create directory", path);
    struct stat st;
    if (fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) throw SysError(errno, "cannot stat", path);
    if (!S_ISDIR(st.st_mode)) {  // a directory over a file: replace
      Clear(parent, name.c_str(), path);
      parent = Parent(dir, true);
      setgid = chain_.back().setgid;
      if (mkdirat(parent, name.c_str(), 0700) < 0) throw SysError(errno, "cannot create directory", path);
    }  // a directory over a directory: merge, metadata from this entry
  }
  if (NeedChown(meta, setgid) && fchownat(parent, name.c_str(), meta.uid, meta.gid, AT_SYMLINK_NOFOLLOW) < 0)
    throw SysError(errno, "cannot chown", path);
  if (!xattrs.empty()) {
    int fd = openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw SysError(errno, "cannot open", path);
    try {
      SetXattrs(fd, path, xattrs);
    } catch (...) {
      close(fd);
      throw;
    }
    close(fd);
  }
  RecordDir(parent, name.c_str(), path, meta);
}

void Extractor::Symlink(const std::string& path, const std::string& target, const Meta& meta) {
  if (target.empty() || target.find('\0') != std::string::npos) throw LayerError{EINVAL, "invalid symlink target"};
  auto [dir, name] = SplitChecked(path);
  int parent = Parent(dir, true);
  bool setgid = chain_.back().setgid;
  if (symlinkat(target.c_str(), parent, name.c_str()) < 0) {
    if (errno != EEXIST) throw SysError(errno, "cannot create symlink", path);
    Clear(parent, name.c_str(), path);
    parent = Parent(dir, true);
    setgid = chain_.back().setgid;
    if (symlinkat(target.c_str(), parent, name.c_str()) < 0) throw SysError(errno, "cannot create symlink", path);
  }
  if (NeedChown(meta, setgid) && fchownat(parent, name.c_str(), meta.uid, meta.gid, AT_SYMLINK_NOFOLLOW) < 0)
    throw SysError(errno, "cannot chown", path);
  struct timespec ts[2] = {{0, UTIME_OMIT}, MTime(meta)};
  if (utimensat(parent, name.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0) throw SysError(errno, "cannot set times of", path);
}

// The target is looked up inside the root (its parent with RESOLVE_IN_ROOT,
// its last component not followed): a link can only ever name a file that is
// already inside the root.
void Extractor::Hardlink(const std::string& path, const std::string& target) {
  if (target == path) return;  // a link to itself: nothing to do
  if (target.empty()) throw LayerError{EINVAL, "hardlink to the root directory"};
  auto [tdir, tname] = SplitChecked(target);
  auto [dir, name] = SplitChecked(path);
  int tparent = OpenInRoot(rootfd_, tdir, O_PATH | O_DIRECTORY, flags_ & kCrossMounts);
  if (tparent < 0) {
    int e = errno;
    throw LayerError{e, "hardlink target " + Quote(target) +
                            (e == ENOENT ? std::string(" does not exist") : std::string(": ") + strerror(e))};
  }
  try {
    int parent = Parent(dir, true);
    if (linkat(tparent, tname.c_str(), parent, name.c_str(), 0) < 0) {
      int e = errno;
      if (e != EEXIST) {
        if (e == ENOENT) throw LayerError{e, "hardlink target " + Quote(target) + " does not exist"};
        if (e == EPERM) throw LayerError{e, "hardlink target " + Quote(target) + " is a directory or not linkable"};
        throw SysError(e, "cannot link", path);
      }
      struct stat a, b;
      if (fstatat(tparent, tname.c_str(), &a, AT_SYMLINK_NOFOLLOW) == 0 &&
          fstatat(parent, name.c_str(), &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
        close(tparent);
        return;  // already that file
      }
      Clear(parent, name.c_str(), path);
      parent = Parent(dir, true);
      if (linkat(tparent, tname.c_str(), parent, name.c_str(), 0) < 0) {
        e = errno;
        if (e == ENOENT) throw LayerError{e, "hardlink target " + Quote(target) + " does not exist"};
        throw SysError(e, "cannot link", path);
      }
    }
  } catch (...) {
    close(tparent);
    throw;
  }
  close(tparent);
}

void Extractor::Node(Kind kind, const std::string& path, const Meta& meta) {
  mode_t type = kind == Kind::Char ? S_IFCHR : kind == Kind::Block ? S_IFBLK : S_IFIFO;
  dev_t dev = 0;
  if (kind != Kind::Fifo) {
    // The JS side skips these already; a second check where the node is made.
    if (!(flags_ & kDevices) || !DeviceAllowed(kind, meta.devMajor, meta.devMinor))
      throw LayerError{EPERM, "device node not allowed"};
    dev = makedev(meta.devMajor, meta.devMinor);
  }
  auto [dir, name] = SplitChecked(path);
  int parent = Parent(dir, true);
  bool setgid = chain_.back().setgid;
  mode_t perm = meta.mode & 0777;
  if (mknodat(parent, name.c_str(), type | perm, dev) < 0) {
    if (errno != EEXIST) throw SysError(errno, "cannot create node", path);
    Clear(parent, name.c_str(), path);
    parent = Parent(dir, true);
    setgid = chain_.back().setgid;
    if (mknodat(parent, name.c_str(), type | perm, dev) < 0) throw SysError(errno, "cannot create node", path);
  }
  bool chown = NeedChown(meta, setgid);
  if (chown && fchownat(parent, name.c_str(), meta.uid, meta.gid, AT_SYMLINK_NOFOLLOW) < 0)
    throw SysError(errno, "cannot chown", path);
  mode_t mode = meta.mode & 07777;
  // fchmodat follows a symlink, but this name is the node just made and
  // nothing else writes in a layer being unpacked.
  if (((mode & 07000) || (mode & umask_) || chown) && fchmodat(parent, name.c_str(), mode, 0) < 0)
    throw SysError(errno, "cannot chmod", path);
  struct timespec ts[2] = {{0, UTIME_OMIT}, MTime(meta)};
  if (utimensat(parent, name.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0) throw SysError(errno, "cannot set times of", path);
}

}  // namespace hutch::layer
