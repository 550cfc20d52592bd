/* Path resolution scoped to the container's root directory.
 *
 * Every path that comes from the config and names something inside the rootfs
 * (mount destinations, masked and read-only paths, /dev entries) is resolved
 * with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) against an fd of the
 * root: ".." and absolute symlinks stay inside, and /proc magic links are
 * refused. Mounts are then made onto /proc/self/fd/N of the opened target, so a
 * component swapped for a symlink after the check cannot redirect the mount
 * onto the host (CVE-2021-30465, CVE-2024-45310, CVE-2025-31133). */
#ifndef HUTCH_INROOT_H
#define HUTCH_INROOT_H

#include <stdbool.h>
#include <stdint.h>

/* openat2(rootfd, path, flags | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS
 * | extra_resolve). path may be absolute; it is taken relative to the root. */
int inroot_open(int rootfd, const char *path, int flags, uint64_t extra_resolve);

/* Opens (O_PATH) path inside the root, creating what is missing, component by
 * component relative to the root: directories (0755), and for the last
 * component an empty regular file (0644, O_CREAT|O_EXCL|O_NOFOLLOW) when
 * as_file. A dangling symlink on the way is followed by its text, resolved
 * inside the root, and what it names is created there (at most 40 links).
 * Returns the fd or -1. */
int inroot_mkpath(int rootfd, const char *path, bool as_file, uint64_t extra_resolve);

/* "/proc/self/fd/N" in buf (at least 32 bytes). */
char *fdpath(char *buf, int fd);

#endif
