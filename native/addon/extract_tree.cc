// Whole-tree operations of layer extraction: removal without following
// anything, whiteouts, opaque directories, listing, and the final pass that
// gives directories their modes and times.
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

int OpenInRoot(int rootfd, const std::string& path, int flags);  // extract_resolve.cc

// A tree deeper than this is refused rather than removed: each level holds an
// fd and a stack frame.
static constexpr int kMaxRemoveDepth = 512;

static void RemoveTree(int dirfd, const char* name, const std::string& path, int depth);

// Removes the children of the directory open as `fd`, then nothing else.
static void RemoveChildren(int fd, const std::string& path, int depth) {
  DIR* d = fdopendir(fd);
  if (!d) {
    int e = errno;
    close(fd);
    throw LayerError{e, "cannot list " + Quote(path) + ": " + strerror(e)};
  }
  // Collect first: unlinking while iterating may skip entries.
  std::vector<std::pair<std::string, bool>> names;
  errno = 0;
  while (struct dirent* de = readdir(d)) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    names.emplace_back(de->d_name, de->d_type == DT_DIR);
  }
  int e = errno;
  if (e) {
    closedir(d);
    throw LayerError{e, "cannot list " + Quote(path) + ": " + strerror(e)};
  }
  try {
    for (auto& [n, isDir] : names) {
      std::string child = path.empty() ? n : path + "/" + n;
      if (!isDir && unlinkat(fd, n.c_str(), 0) == 0) continue;
      if (!isDir && errno != EISDIR && errno != EPERM) {
        int err = errno;
        throw LayerError{err, "cannot remove " + Quote(child) + ": " + strerror(err)};
      }
      RemoveTree(fd, n.c_str(), child, depth + 1);
    }
  } catch (...) {
    closedir(d);
    throw;
  }
  closedir(d);
}

static void RemoveTree(int dirfd, const char* name, const std::string& path, int depth) {
  if (unlinkat(dirfd, name, 0) == 0) return;
  if (errno == ENOENT) return;
  if (errno != EISDIR && errno != EPERM) {
    int e = errno;
    throw LayerError{e, "cannot remove " + Quote(path) + ": " + strerror(e)};
  }
  if (depth > kMaxRemoveDepth) throw LayerError{ELOOP, "directory " + Quote(path) + " is too deep to remove"};
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    throw LayerError{e, "cannot open " + Quote(path) + " to remove it: " + strerror(e)};
  }
  RemoveChildren(fd, path, depth);  // closes fd
  if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
    int e = errno;
    throw LayerError{e, "cannot remove " + Quote(path) + ": " + strerror(e)};
  }
}

void RemoveAt(int dirfd, const char* name, const std::string& path) { RemoveTree(dirfd, name, path, 0); }

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
  int parent = WalkNoSymlinks(dir, false);
  if (parent < 0) return;  // nothing below to delete
  try {
    RemoveAt(parent, name.c_str(), Join(dir, name));
  } catch (...) {
    close(parent);
    Invalidate();
    throw;
  }
  close(parent);
  Invalidate();
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
  if (parent < 0) return;
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
    int fd = OpenInRoot(rootfd_, d.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
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
