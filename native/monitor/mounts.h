/* The container's filesystem: rootfs, mounts[], /dev, masked and read-only
 * paths, the console, pivot_root. Runs in the container init (child) only, and
 * reports any failure itself with child_fail(step, errno). */
#ifndef HUTCH_MOUNTS_H
#define HUTCH_MOUNTS_H

#include <stddef.h>
#include <sys/ioctl.h>

#include "spec.h"

struct rootfs_opts {
	char *const *cgroups;     /* --cgroup dirs, bound into a "cgroup" mount */
	size_t ncgroups;
	const struct winsize *ws; /* terminal size to give the console, or NULL */
	/* With a user namespace (userns.h): the overlay, idmapped lowers and all,
	 * built detached by the monitor (-1: none), and per mounts[] entry the
	 * idmapped bind tree it made (-1: not a bind). Only the monitor, in the
	 * host's user namespace, may idmap a host mount. */
	int root_tree;
	const int *trees;
	/* Called right before pivot_root when set (hutch-runc: the prestart and
	 * createRuntime hooks run while the init waits here). */
	void (*before_pivot)(void);
};

/* Sets up everything up to and including pivot_root and root.readonly. With a
 * terminal, allocates the pty in the container's devpts, binds the slave on
 * /dev/console, sends the master to the monitor, and returns the slave fd
 * (else -1). */
int rootfs_setup(const struct spec *s, const struct rootfs_opts *o);

#endif
