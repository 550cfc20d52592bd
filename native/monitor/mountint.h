/* Internal to the mounts code (mounts.c, mountentry.c, mountopts.c, copyup.c):
 * a mounts[] entry's options parsed once, and the fd-to-fd mount steps.
 *
 * Every mount is built detached (open_tree(OPEN_TREE_CLONE) for a bind,
 * fsopen/fsconfig/fsmount for a filesystem), given its attributes with
 * mount_setattr while still detached, and attached with move_mount onto an fd
 * of the target resolved inside the root: no path string is resolved a second
 * time after the mount exists, so nothing can swap the target in between. */
#ifndef HUTCH_MOUNTINT_H
#define HUTCH_MOUNTINT_H

#include <stdbool.h>
#include <stdint.h>

#include "mounts.h"

struct mopts {
	uint64_t set, clr;   /* MOUNT_ATTR_* for the top mount (ro, nosuid, ...) */
	uint64_t rset, rclr; /* MOUNT_ATTR_* for every mount of the tree (rro, rnosuid, ...) */
	uint64_t prop;       /* MS_SHARED / MS_SLAVE / MS_PRIVATE / MS_UNBINDABLE, or 0 */
	bool prop_rec;       /* rshared, rslave, ...: the whole attached tree */
	bool bind, rec;      /* bind / rbind */
	bool copyup;         /* hutch: fill an empty source from the image (copyup.c) */
	const char *subpath; /* hutch-subpath=REL: bind REL beneath the source, resolved without symlinks */
	char data[1024];     /* what is not an attribute (size=, mode=, newinstance...), comma list */
};

/* Parses m's options into o. -1 with errno (E2BIG: data too long). */
int mopts_parse(const struct spec_mount *m, struct mopts *o);

/* mount_setattr(fd, "", AT_EMPTY_PATH [| AT_RECURSIVE], {set, clr, prop}). */
int mnt_setattr(int fd, bool recursive, uint64_t set, uint64_t clr, uint64_t prop);

/* move_mount(tree, "", target, "", F_EMPTY_PATH | T_EMPTY_PATH). */
int mnt_attach(int tree, int target);

/* A detached mount of a new filesystem of type: source (may be NULL), data
 * (a comma list: key=value or flag, each one fsconfig call), attrs for
 * fsmount. -1 with errno; *why (if not NULL) gets the kernel's own message
 * ("tmpfs: Bad value for 'size'") when it gave one, else "". */
int mnt_fs(const char *type, const char *source, const char *data, uint64_t attrs, char *why, size_t whylen);

/* One mounts[] entry (mountentry.c); tree: the entry's bind made by the
 * monitor (rootfs_opts.trees), or -1. */
void mount_entry(int rootfd, const struct spec_mount *m, const struct rootfs_opts *ro, int tree);

/* The source of a bind entry (subpath resolved beneath it): an O_PATH fd, or
 * -1 with errno; *then says which part failed ("subpath" or NULL). */
int bind_source(const struct spec_mount *m, const struct mopts *o, const char **then);

#endif
