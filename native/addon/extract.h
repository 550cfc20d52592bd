// Layer extraction core: writes tar entries under a root directory through fds,
// so that nothing in a hostile layer (absolute or `..` symlinks, hardlinks,
// symlinked parents, names replaced mid-archive) can reach outside the root.
//
// The JavaScript side parses the tar stream and validates names; this core
// checks names again and does every filesystem operation relative to an fd:
//   - a parent directory is reached one component at a time with
//     openat2(RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH); when a component is a
//     symlink, the prefix is resolved again from the root fd with
//     openat2(RESOLVE_IN_ROOT): the kernel then treats the root as "/" for
//     absolute targets and `..`, exactly as inside the container;
//   - the last component is created with mkdirat / openat(O_CREAT|O_EXCL|
//     O_NOFOLLOW) / symlinkat / linkat / mknodat and never followed: an existing
//     non-directory is unlinked first (like tar), an existing directory replaced
//     by a non-directory is removed as a tree without following anything;
//   - ownership, mode (after chown, which clears setuid bits), xattrs (after
//     chown, which clears security.capability) and times go through the new
//     file's fd or *at(AT_SYMLINK_NOFOLLOW). Directory modes and times are
//     applied at the end, deepest first, after checking the inode is the one
//     created.
//
// Resolved parents are cached (a chain of fds along the current directory).
// Only a removal can change what an already-resolved path resolves to: creating
// a name that did not exist cannot alter a path whose components all existed.
// So every removal (replacing an entry, whiteouts) drops the cache.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hutch::layer {

// Thrown by the core and turned into a JS Error at the binding boundary.
struct LayerError {
  int err;             // errno, 0 when the refusal is ours
  std::string reason;  // one line, e.g. `parent "a" is not a directory`
};

enum class Kind : int { File = 0, Hardlink = 1, Symlink = 2, Char = 3, Block = 4, Dir = 5, Fifo = 6 };

enum Flag : int {
  kOverlay = 1,  // whiteouts become overlayfs whiteouts (char 0:0, opaque xattr)
  kChown = 2,    // apply uid/gid from the archive (root only)
  kDevices = 4,  // create allow-listed device nodes
  kCrossMounts = 8,  // paths may cross mount points (hutch cp into a running container's volumes)
};

struct Meta {
  uint32_t mode = 0;  // 07777 bits
  uint32_t uid = 0, gid = 0;
  int64_t mtimeSec = 0;
  long mtimeNsec = 0;
  uint32_t devMajor = 0, devMinor = 0;
};

struct Xattr {
  std::string name;
  std::string value;
};

// Whether `kind` major:minor is one of the device nodes a container may get
// from its image: null, zero, full, random, urandom, tty, ptmx. Not console
// (5:1): on the host it is the host's console, and the monitor makes the
// container's own.
bool DeviceAllowed(Kind kind, uint32_t major, uint32_t minor);

class Extractor {
 public:
  Extractor(int rootfd, int flags);  // takes ownership of rootfd
  ~Extractor();
  Extractor(const Extractor&) = delete;
  Extractor& operator=(const Extractor&) = delete;

  // Writes one entry. `path` and `link` are canonical relative paths ("" is the
  // root; `link` for hardlinks), or the symlink target verbatim. For files,
  // `data` holds the first `len` of `size` bytes. Returns true when the file
  // stays open for Data().
  bool Entry(Kind kind, const std::string& path, const std::string& link, const Meta& meta, const char* data,
             size_t len, uint64_t size, std::vector<Xattr>&& xattrs);
  // More bytes of the open file; returns true while bytes are still missing.
  bool Data(const char* data, size_t len);

  // 'overlay': char device 0:0 `name` in `dir` (created if missing); an
  // existing entry (this layer's own) is kept. 'apply': removes dir/name.
  void Whiteout(const std::string& dir, const std::string& name);
  // 'overlay' only: trusted.overlay.opaque=y on `dir` (created if missing).
  void Opaque(const std::string& dir);
  // Children of `dir` (no symlink on the way), '/'-suffixed when directories.
  std::vector<std::string> List(const std::string& dir);
  // Removes `path` (a tree when a directory) without following symlinks.
  void Remove(const std::string& path);
  // Directory modes and times, deepest first. Closes the cache.
  void Finish();

  // Entries not created or attributes not applied, one line each.
  std::vector<std::string> TakeSkipped() { return std::move(skipped_); }

 private:
  struct Cached {
    std::string path;
    int fd;
    bool setgid;  // new files take the directory's group
  };
  struct DirMeta {
    std::string path;
    dev_t dev;
    ino_t ino;
    Meta meta;
    size_t depth;
  };
  struct OpenFile {
    int fd = -1;
    std::string path;
    uint64_t left = 0;
    Meta meta;
    bool chown = false;
    std::vector<Xattr> xattrs;
  };

  int Parent(const std::string& path, bool create);  // borrowed fd from the cache
  void Invalidate();
  int WalkNoSymlinks(const std::string& dir, bool create);  // owned fd, -1 when missing
  void Clear(int dirfd, const char* name, const std::string& path);
  bool NeedChown(const Meta& m, bool parentSetgid) const;
  void FinishFile();
  void SetXattrs(int fd, const std::string& path, const std::vector<Xattr>& xattrs);
  void RecordDir(int dirfd, const char* name, const std::string& path, const Meta& meta);

  void File(const std::string& path, const Meta& meta, const char* data, size_t len, uint64_t size,
            std::vector<Xattr>&& xattrs);
  void Dir(const std::string& path, const Meta& meta, const std::vector<Xattr>& xattrs);
  void Symlink(const std::string& path, const std::string& target, const Meta& meta);
  void Hardlink(const std::string& path, const std::string& target);
  void Node(Kind kind, const std::string& path, const Meta& meta);

  int rootfd_;
  int flags_;
  uid_t euid_;
  gid_t egid_;
  mode_t umask_;
  std::vector<Cached> chain_;  // chain_[0] is the root
  OpenFile open_;
  std::vector<DirMeta> dirs_;
  std::unordered_map<std::string, size_t> dirIndex_;
  std::vector<std::string> skipped_;
};

// The longest entry path (bytes, relative to the root): PATH_MAX less the NUL.
// Longer names extract one component at a time, but rm -r, du or a container's
// own tools could not reach them.
constexpr size_t kMaxPath = 4095;

// Removes dirfd/name, a tree when a directory, at any depth, without following
// symlinks or crossing mount points; `path` names it in errors.
void RemoveAt(int dirfd, const char* name, const std::string& path);

// Splits a canonical relative path into (parent, name). Throws on an invalid
// component: empty, ".", "..", or a NUL byte.
std::pair<std::string, std::string> SplitChecked(const std::string& path);
// `"name"` as shown in messages.
std::string Quote(const std::string& s);

}  // namespace hutch::layer
