// Path checks and parent-directory resolution for layer extraction (see
// extract.h for the rules).
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "extract.h"

namespace hutch::layer {

static constexpr uint64_t kStepResolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS;
static constexpr uint64_t kRootResolve = RESOLVE_IN_ROOT | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS;

// Layers never cross a mount (an image's tree is one filesystem); `hutch cp` into a
// running container may: its volumes are mounts in its root. Symlinks stay refused
// or in-root either way.
static uint64_t StepResolveFor(int flags) { return (flags & kCrossMounts) ? kStepResolve & ~uint64_t(RESOLVE_NO_XDEV) : kStepResolve; }

int Openat2(int dirfd, const char* path, uint64_t flags, uint64_t resolve) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = flags | O_CLOEXEC;
  how.resolve = resolve;
  long r;
  do r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
  while (r < 0 && (errno == EINTR || errno == EAGAIN));
  return static_cast<int>(r);
}

int OpenInRoot(int rootfd, const std::string& path, int flags, bool cross) {
  uint64_t res = cross ? kRootResolve & ~uint64_t(RESOLVE_NO_XDEV) : kRootResolve;
  return Openat2(rootfd, path.empty() ? "." : path.c_str(), static_cast<uint64_t>(flags), res);
}

// A name in a message: a path can be 4 KiB, a message stays one short line.
std::string Quote(const std::string& s) {
  if (s.size() <= 160) return "\"" + s + "\"";
  return "\"" + s.substr(0, 100) + "..." + s.substr(s.size() - 50) + "\"";
}

static bool ValidComponent(const std::string& p, size_t from, size_t to) {
  size_t n = to - from;
  if (n == 0) return false;
  if (n == 1 && p[from] == '.') return false;
  if (n == 2 && p[from] == '.' && p[from + 1] == '.') return false;
  return true;
}

std::pair<std::string, std::string> SplitChecked(const std::string& path) {
  if (path.find('\0') != std::string::npos) throw LayerError{EINVAL, "NUL byte in path"};
  // What the JS side refuses already: no path tools could handle (see kMaxPath).
  if (path.size() > kMaxPath)
    throw LayerError{ENAMETOOLONG, "path is " + std::to_string(path.size()) + " bytes long, more than " + std::to_string(kMaxPath)};
  size_t from = 0;
  for (;;) {
    size_t slash = path.find('/', from);
    size_t to = slash == std::string::npos ? path.size() : slash;
    if (!ValidComponent(path, from, to)) throw LayerError{EINVAL, "not a canonical relative path " + Quote(path)};
    if (slash == std::string::npos) break;
    from = slash + 1;
  }
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

static bool IsPrefix(const std::string& dir, const std::string& path) {
  if (dir.empty()) return true;
  return path.size() >= dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         (path.size() == dir.size() || path[dir.size()] == '/');
}

static LayerError ParentError(int err, const std::string& prefix) {
  switch (err) {
    case ENOTDIR:
      return {err, "parent " + Quote(prefix) + " is not a directory"};
    case ENOENT:
      return {err, "parent " + Quote(prefix) + " does not exist (a symlink to a missing directory?)"};
    case ELOOP:
      return {err, "too many levels of symbolic links in parent " + Quote(prefix)};
    case EXDEV:
      return {err, "parent " + Quote(prefix) + " crosses a mount point"};
    default:
      return {err, "cannot open parent " + Quote(prefix) + ": " + strerror(err)};
  }
}

void Extractor::Invalidate() {
  while (chain_.size() > 1) {
    close(chain_.back().fd);
    chain_.pop_back();
  }
}

int Extractor::Parent(const std::string& path, bool create) {
  size_t k = chain_.size() - 1;
  while (k > 0 && !IsPrefix(chain_[k].path, path)) k--;
  while (chain_.size() > k + 1) {
    close(chain_.back().fd);
    chain_.pop_back();
  }
  if (chain_[k].path.size() == path.size()) return chain_[k].fd;
  size_t from = k == 0 ? 0 : chain_[k].path.size() + 1;
  for (;;) {
    size_t slash = path.find('/', from);
    size_t to = slash == std::string::npos ? path.size() : slash;
    std::string comp = path.substr(from, to - from);
    std::string prefix = path.substr(0, to);
    int at = chain_.back().fd;
    int fd = Openat2(at, comp.c_str(), O_PATH | O_DIRECTORY, StepResolveFor(flags_));
    if (fd < 0 && errno == ENOENT && create) {
      // A parent the archive did not list: made like tar does, 0755 (less umask).
      if (mkdirat(at, comp.c_str(), 0755) < 0 && errno != EEXIST) {
        int e = errno;
        throw LayerError{e, "cannot create parent " + Quote(prefix) + ": " + strerror(e)};
      }
      fd = Openat2(at, comp.c_str(), O_PATH | O_DIRECTORY, StepResolveFor(flags_));
    }
    if (fd < 0 && errno == ELOOP) {
      // A symlink on the way (lib -> usr/lib): resolve the prefix as the
      // container would, with the root as "/".
      fd = OpenInRoot(rootfd_, prefix, O_PATH | O_DIRECTORY, flags_ & kCrossMounts);
    }
    if (fd < 0) throw ParentError(errno, prefix);
    struct stat st;
    bool setgid = fstat(fd, &st) == 0 && (st.st_mode & S_ISGID);
    chain_.push_back({std::move(prefix), fd, setgid});
    if (to == path.size()) break;
    from = to + 1;
  }
  return chain_.back().fd;
}

int Extractor::WalkNoSymlinks(const std::string& dir, bool create) {
  int fd = Openat2(rootfd_, dir.empty() ? "." : dir.c_str(), O_PATH | O_DIRECTORY, StepResolveFor(flags_));
  if (fd >= 0) return fd;
  if (errno != ENOENT) {
    if (errno == ELOOP) throw LayerError{ELOOP, "parent " + Quote(dir) + " goes through a symlink"};
    throw ParentError(errno, dir);
  }
  if (!create) return -1;
  // Make the missing directories one at a time, never through a symlink.
  fd = Openat2(rootfd_, ".", O_PATH | O_DIRECTORY, StepResolveFor(flags_));
  size_t from = 0;
  while (from < dir.size()) {
    size_t slash = dir.find('/', from);
    size_t to = slash == std::string::npos ? dir.size() : slash;
    std::string comp = dir.substr(from, to - from);
    int next = Openat2(fd, comp.c_str(), O_PATH | O_DIRECTORY, StepResolveFor(flags_));
    if (next < 0 && errno == ENOENT) {
      if (mkdirat(fd, comp.c_str(), 0755) < 0 && errno != EEXIST) {
        int e = errno;
        close(fd);
        throw LayerError{e, "cannot create parent " + Quote(dir.substr(0, to)) + ": " + strerror(e)};
      }
      next = Openat2(fd, comp.c_str(), O_PATH | O_DIRECTORY, StepResolveFor(flags_));
    }
    int e = errno;
    close(fd);
    if (next < 0) {
      if (e == ELOOP) throw LayerError{ELOOP, "parent " + Quote(dir.substr(0, to)) + " goes through a symlink"};
      throw ParentError(e, dir.substr(0, to));
    }
    fd = next;
    from = to + 1;
  }
  return fd;
}

}  // namespace hutch::layer
