// Whole-tree operations of layer extraction: removal without following
// anything (also of a whole snapshot, for the image store), whiteouts, opaque
// directories, listing, and the final pass that gives directories their modes
// and times.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "extract.h"

namespace hutch::layer {

int OpenInRoot(int rootfd, const std::string& path, int flags, bool cross = false);  // extract_resolve.cc

namespace {

// An fd closed when it goes out of scope.
struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  void Reset(int f) {
    if (fd >= 0) close(fd);
    fd = f;
  }
};

// One directory on the way down: its name in its parent, its identity (to check
// the way back up), and the subdirectories it still has.
struct Level {
  std::string name;
  dev_t dev;
  ino_t ino;
  std::vector<std::string> dirs;
};

LayerError Failed(int err, const char* what, const std::string& path) {
  return {err, std::string(what) + " " + Quote(path) + ": " + strerror(err)};
}

// `top`, or `top/…/name` below its first level: messages stay one short line
// however deep the tree is.
std::string Shown(const std::string& top, size_t depth, const std::string& name) {
  std::string t = top.empty() ? "." : top;
  return depth == 0 ? t : depth == 1 ? t + "/" + name : t + "/.../" + name;
}

// Unlinks everything but directories in the directory open as `fd` (names are
// collected first: unlinking while reading may skip entries); returns the
// subdirectories.
std::vector<std::string> ClearFiles(int fd, const std::string& top, size_t depth, const std::string& name) {
  int lfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  DIR* d = lfd < 0 ? nullptr : fdopendir(lfd);
  if (!d) {
    int e = errno;
    if (lfd >= 0) close(lfd);
    throw Failed(e, "cannot list", Shown(top, depth, name));
  }
  std::vector<std::pair<std::string, bool>> names;
  errno = 0;
  while (struct dirent* de = readdir(d)) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    names.emplace_back(de->d_name, de->d_type == DT_DIR);
  }
  int e = errno;
  closedir(d);
  if (e) throw Failed(e, "cannot list", Shown(top, depth, name));
  std::vector<std::string> dirs;
  for (auto& [n, isDir] : names) {
    if (!isDir && (unlinkat(fd, n.c_str(), 0) == 0 || errno == ENOENT)) continue;
    if (!isDir && errno != EISDIR && errno != EPERM) throw Failed(errno, "cannot remove", Shown(top, depth + 1, n));
    dirs.push_back(std::move(n));
  }
  return dirs;
}

}  // namespace

// Depth-first, holding two fds whatever the depth (a layer can build a tree far
// deeper than PATH_MAX through symlinked parents): down by name, back up through
// "..", each step up checked to land on the directory it came from. Nothing is
// followed, and a mount point below stops the removal rather than being emptied.
void RemoveAt(int dirfd, const char* name, const std::string& path) {
  if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return;
  if (errno != EISDIR && errno != EPERM) throw Failed(errno, "cannot remove", path);
  int unlinkErr = errno;
  Fd fd(openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.fd < 0) {
    if (errno == ENOENT) return;
    // Not a directory after all: the unlink's own refusal is the reason.
    if (errno == ENOTDIR || errno == ELOOP) throw Failed(unlinkErr, "cannot remove", path);
    throw Failed(errno, "cannot open", path);
  }
  struct stat st;
  if (fstat(fd.fd, &st) < 0) throw Failed(errno, "cannot stat", path);
  const dev_t dev = st.st_dev;
  std::vector<Level> stack;
  stack.push_back({name, st.st_dev, st.st_ino, {}});
  stack.back().dirs = ClearFiles(fd.fd, path, 0, name);
  for (;;) {
    if (!stack.back().dirs.empty()) {
      std::string n = std::move(stack.back().dirs.back());
      stack.back().dirs.pop_back();
      size_t depth = stack.size();
      int child = openat(fd.fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0) {
        if (errno == ENOENT) continue;
        // Not a directory (the unlink above was refused for another reason): say why.
        if ((errno == ENOTDIR || errno == ELOOP) && (unlinkat(fd.fd, n.c_str(), 0) == 0 || errno == ENOENT)) continue;
        throw Failed(errno, errno == ENOTDIR || errno == ELOOP ? "cannot remove" : "cannot open", Shown(path, depth, n));
      }
      fd.Reset(child);
      if (fstat(fd.fd, &st) < 0) throw Failed(errno, "cannot stat", Shown(path, depth, n));
      if (st.st_dev != dev) throw Failed(EXDEV, "cannot remove", Shown(path, depth, n) + " (a mount point)");
      stack.push_back({std::move(n), st.st_dev, st.st_ino, {}});
      stack.back().dirs = ClearFiles(fd.fd, path, depth, stack.back().name);
      continue;
    }
    // This level is empty: step up and remove it.
    Level done = std::move(stack.back());
    stack.pop_back();
    size_t depth = stack.size();
    if (stack.empty()) {
      fd.Reset(-1);
      if (unlinkat(dirfd, done.name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT) throw Failed(errno, "cannot remove", path);
      return;
    }
    int parent = openat(fd.fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (parent < 0) throw Failed(errno, "cannot open the parent of", Shown(path, depth + 1, done.name));
    fd.Reset(parent);
    if (fstat(fd.fd, &st) < 0) throw Failed(errno, "cannot stat", Shown(path, depth, stack.back().name));
    if (st.st_dev != stack.back().dev || st.st_ino != stack.back().ino)
      throw Failed(ESTALE, "cannot remove", Shown(path, depth, stack.back().name) + " (moved while being removed)");
    if (unlinkat(fd.fd, done.name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
      throw Failed(errno, "cannot remove", Shown(path, depth + 1, done.name));
  }
}

static std::string Join(const std::string& dir, const std::string& name) { return dir.empty() ? name : dir + "/" + name; }

void Extractor::Whiteout(const std::string& dir, const std::string& name) {
  SplitChecked(Join(dir, name));
  if (flags_ & kOverlay) {
    int parent = WalkNoSymlinks(dir, true);
    int r = mknodat(parent, name.c_str(), S_IFCHR, makedev(0, 0));
    int e = errno;
    close(parent);
    // EEXIST: this layer has its own entry there, which hides the lower one.
    if (r < 0 && e != EEXIST) throw LayerError{e, "cannot create whiteout " + Quote(Join(dir, name)) + ": " + strerror(e)};
    return;
  }
  Remove(Join(dir, name));  // apply mode: the whiteout deletes what the lower layers put there
}

void Extractor::Opaque(const std::string& dir) {
  if (!dir.empty()) SplitChecked(dir);
  int parent = WalkNoSymlinks(dir, true);
  int fd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int e = errno;
  close(parent);
  if (fd < 0) throw LayerError{e, "cannot open " + Quote(dir) + ": " + strerror(e)};
  int r = fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0);
  e = errno;
  close(fd);
  if (r < 0) throw LayerError{e, "cannot mark " + Quote(dir) + " opaque (trusted.overlay.opaque): " + strerror(e)};
}

std::vector<std::string> Extractor::List(const std::string& dir) {
  if (!dir.empty()) SplitChecked(dir);
  std::vector<std::string> out;
  int parent = WalkNoSymlinks(dir, false);
  if (parent < 0) return out;
  int fd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int e = errno;
  close(parent);
  if (fd < 0) throw LayerError{e, "cannot open " + Quote(dir) + ": " + strerror(e)};
  DIR* d = fdopendir(fd);
  if (!d) {
    e = errno;
    close(fd);
    throw LayerError{e, "cannot list " + Quote(dir) + ": " + strerror(e)};
  }
  errno = 0;
  while (struct dirent* de = readdir(d)) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    bool isDir = de->d_type == DT_DIR;
    if (de->d_type == DT_UNKNOWN) {
      struct stat st;
      isDir = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    out.push_back(isDir ? std::string(de->d_name) + "/" : std::string(de->d_name));
  }
  e = errno;
  closedir(d);
  if (e) throw LayerError{e, "cannot list " + Quote(dir) + ": " + strerror(e)};
  return out;
}

void Extractor::Remove(const std::string& path) {
  auto [dir, name] = SplitChecked(path);
  int parent = WalkNoSymlinks(dir, false);
  if (parent < 0) return;  // nothing below to delete
  try {
    RemoveAt(parent, name.c_str(), path);
  } catch (...) {
    close(parent);
    Invalidate();
    throw;
  }
  close(parent);
  Invalidate();
}

void Extractor::Finish() {
  Invalidate();
  // Deepest first: setting a child's times would not touch its parent's, but
  // a read-only parent could stop us reaching the child.
  std::stable_sort(dirs_.begin(), dirs_.end(), [](const DirMeta& a, const DirMeta& b) { return a.depth > b.depth; });
  for (const auto& d : dirs_) {
    int fd = OpenInRoot(rootfd_, d.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, flags_ & kCrossMounts);
    if (fd < 0) continue;  // replaced or removed later in the archive
    struct stat st;
    // Only the directory this archive made or merged: a path that now leads
    // elsewhere (an ancestor replaced by a symlink) keeps its own metadata.
    if (fstat(fd, &st) < 0 || st.st_dev != d.dev || st.st_ino != d.ino) {
      close(fd);
      continue;
    }
    int r = fchmod(fd, d.meta.mode & 07777);
    struct timespec ts[2] = {{0, UTIME_OMIT}, {static_cast<time_t>(d.meta.mtimeSec), d.meta.mtimeNsec}};
    if (r == 0) r = futimens(fd, ts);
    int e = errno;
    close(fd);
    if (r < 0) throw LayerError{e, "cannot set mode and times of directory " + Quote(d.path) + ": " + strerror(e)};
  }
  dirs_.clear();
  dirIndex_.clear();
}

}  // namespace hutch::layer
