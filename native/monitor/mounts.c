/* See mounts.h. Order (PROTOCOL.md): / rprivate -> rootfs (overlay or bind) ->
 * mounts[] -> /dev nodes and symlinks -> linux.devices -> linux.sysctl ->
 * console -> maskedPaths -> readonlyPaths -> pivot_root -> root.readonly.
 *
 * Masked and read-only paths are done before pivot_root, resolved in the root
 * like everything else: the result is the same as doing them after, and it does
 * not depend on the container having a /proc of its own for /proc/self/fd. */
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devnodes.h"
#include "inroot.h"
#include "mountint.h"
#include "pty.h"
#include "report.h"
#include "util.h"

static bool mounts_dev_tmpfs(const struct spec *s)
{
	for (size_t i = 0; i < s->nmounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if ((strcmp(m->destination, "/dev") == 0 || strcmp(m->destination, "/dev/") == 0) &&
		    strcmp(m->type, "bind") != 0) {
			for (size_t j = 0; j < m->noptions; j++)
				if (strcmp(m->options[j], "bind") == 0 || strcmp(m->options[j], "rbind") == 0)
					return false;
			return true;
		}
	}
	return false;
}

/* The devices runtime-spec says every container has. We are real root with no
 * user namespace, so mknod works; where it does not (a nested setup without
 * CAP_MKNOD) the host node is bind-mounted onto an empty file instead. */
static void setup_dev(int rootfd)
{
	static const struct {
		const char *name;
		unsigned maj, min;
	} nodes[] = { { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
		      { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 } };
	static const struct {
		const char *name, *target;
	} links[] = { { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
		      { "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" }, { "core", "/proc/kcore" } };
	char p[32], q[32];
	int dev = inroot_open(rootfd, "/dev", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
	if (dev < 0)
		child_failf("devices", errno, "/dev");
	for (unsigned i = 0; i < ARRAY_LEN(nodes); i++) {
		if (mknodat(dev, nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) == 0 || errno == EEXIST)
			continue;
		if (errno != EPERM)
			child_failf("devices", errno, "/dev/%s", nodes[i].name);
		char host[32];
		snprintf(host, sizeof host, "/dev/%s", nodes[i].name);
		int t = openat(dev, nodes[i].name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (t >= 0) {
			close(t);
			t = openat(dev, nodes[i].name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		struct stat st;
		int src = open(host, O_PATH | O_CLOEXEC);
		if (src >= 0 && fstat(src, &st) == 0 &&
		    (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(nodes[i].maj, nodes[i].min)))
			child_failf("devices", ENODEV, "/dev/%s (bind from %s: not the device)", nodes[i].name, host);
		if (t < 0 || src < 0 || mount(fdpath(q, src), fdpath(p, t), NULL, MS_BIND, NULL) < 0)
			child_failf("devices", errno, "/dev/%s (bind from %s)", nodes[i].name, host);
		close(t);
		close(src);
	}
	for (unsigned i = 0; i < ARRAY_LEN(links); i++) {
		if (strcmp(links[i].name, "core") == 0 && access("/proc/kcore", F_OK) < 0)
			continue;
		if (symlinkat(links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
			child_failf("devices", errno, "/dev/%s -> %s", links[i].name, links[i].target);
	}
	close(dev);
}

/* The pty comes from the container's own devpts instance (so ttyname() inside
 * shows /dev/pts/0, and the host's devpts is never exposed). */
static int setup_console(int rootfd, const struct winsize *ws)
{
	char p[32], q[32];
	int slave;
	int master = pty_alloc(rootfd, &slave);
	if (master < 0)
		child_failf("console", errno, "/dev/pts/ptmx");
	if (ws && ws->ws_row && ioctl(slave, TIOCSWINSZ, ws) < 0)
		child_failf("console", errno, "window size");
	int con = inroot_mkpath(rootfd, "/dev/console", true, RESOLVE_NO_SYMLINKS);
	if (con < 0 || mount(fdpath(q, slave), fdpath(p, con), NULL, MS_BIND, NULL) < 0)
		child_failf("console", errno, "/dev/console");
	close(con);
	if (report_send_fd(master) < 0)
		child_fail("console", errno);
	close(master);
	return slave;
}

static void mask_paths(int rootfd, const struct spec *s)
{
	struct stat st;
	/* The host's /dev/null, checked to really be the null device: a /dev/null
	 * that is a symlink or another file must never be what we bind over a
	 * masked path (CVE-2025-31133). */
	int null = open("/dev/null", O_PATH | O_CLOEXEC);
	if (null < 0 || fstat(null, &st) < 0)
		child_failf("maskedPaths", errno, "/dev/null");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		child_failf("maskedPaths", ENODEV, "/dev/null (not the null device)");
	for (size_t i = 0; i < s->nmasked; i++) {
		int fd = inroot_open(rootfd, s->masked[i], O_PATH, 0);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0 || fstat(fd, &st) < 0)
			child_failf("maskedPaths", errno, "%s", s->masked[i]);
		/* A dir gets an empty read-only tmpfs, anything else the null
		 * device; both detached first, then attached onto this fd. */
		int tree = S_ISDIR(st.st_mode) ? mnt_fs("tmpfs", "tmpfs", NULL, MOUNT_ATTR_RDONLY, NULL, 0)
					       : open_tree(null, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (tree < 0 || mnt_attach(tree, fd) < 0)
			child_failf("maskedPaths", errno, "%s", s->masked[i]);
		close(tree);
		close(fd);
	}
	close(null);
}

/* A recursive clone of the path, read-only (nosuid, nodev, noexec) on its
 * top mount, attached over the path's own fd: the path is resolved once. */
static void readonly_paths(int rootfd, const struct spec *s)
{
	const uint64_t attrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	for (size_t i = 0; i < s->nreadonly; i++) {
		int fd = inroot_open(rootfd, s->readonly[i], O_PATH, 0);
		if (fd < 0 && errno == ENOENT)
			continue;
		int tree = fd < 0 ? -1 : open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
		if (tree < 0 || mnt_setattr(tree, false, attrs, 0, 0) < 0 || mnt_attach(tree, fd) < 0)
			child_failf("readonlyPaths", errno, "%s", s->readonly[i]);
		close(tree);
		close(fd);
	}
}

int rootfs_setup(const struct spec *s, const struct rootfs_opts *o)
{
	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_failf("rprivate", errno, "/");
	if (o->root_tree >= 0) {
		int t = open(s->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (t < 0 || mnt_attach(o->root_tree, t) < 0)
			child_failf("rootfs", errno, "%s (idmapped overlay)", s->root_path);
		close(t);
		close(o->root_tree);
	} else if (s->overlay) {
		if (mount("overlay", s->root_path, "overlay", 0, s->overlay) < 0)
			child_failf("rootfs", errno, "%s (overlay)", s->root_path);
	} else if (mount(s->root_path, s->root_path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		/* a bind onto itself makes root.path a mount point, as pivot_root needs */
		child_failf("rootfs", errno, "%s (bind)", s->root_path);
	}
	int rootfd = open(s->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		child_failf("rootfs", errno, "%s", s->root_path);

	for (size_t i = 0; i < s->nmounts; i++)
		mount_entry(rootfd, &s->mounts[i], o, o->trees ? o->trees[i] : -1);
	if (mounts_dev_tmpfs(s))
		setup_dev(rootfd);
	devnodes_create(rootfd, s);
	/* Before readonlyPaths: they make /proc/sys read-only. */
	sysctl_apply(rootfd, s);
	int slave = s->terminal ? setup_console(rootfd, o->ws) : -1;
	mask_paths(rootfd, s);
	readonly_paths(rootfd, s);

	if (o->before_pivot)
		o->before_pivot();
	/* pivot_root(".", ".") stacks the old root on the new one; detaching "."
	 * then removes the old root without needing a directory for it. */
	if (fchdir(rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		child_failf("pivot_root", errno, "%s", s->root_path);
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		child_failf("pivot_root", errno, "%s: detaching the old root", s->root_path);
	close(rootfd);

	/* The root mount itself (not the mounts under it), as runc. */
	if (s->root_readonly && mnt_setattr(AT_FDCWD, false, MOUNT_ATTR_RDONLY, 0, 0) < 0)
		child_failf("readonly_root", errno, "/");
	return slave;
}
