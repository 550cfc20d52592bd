/* linux.devices and linux.sysctl, applied inside the container's root before
 * the masked and read-only paths (which make /proc/sys read-only) and before
 * pivot_root. Both run in the container init and report failures themselves
 * (child_fail). */
#ifndef HUTCH_DEVNODES_H
#define HUTCH_DEVNODES_H

#include "spec.h"

/* mknod of each linux.devices entry, its directory made inside the root;
 * an existing node is left as it is (runc). Then chown to uid/gid. */
void devnodes_create(int rootfd, const struct spec *s);

/* Writes each linux.sysctl value to /proc/sys/<key> of the container's own
 * procfs (mounts[] made it at /proc), opened beneath it without following any
 * symlink or crossing a mount, and checked to be procfs: the file written is
 * the one of the container's namespaces, never one an image or a racing
 * volume redirected (CVE-2025-52881). */
void sysctl_apply(int rootfd, const struct spec *s);

#endif
