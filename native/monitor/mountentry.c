/* See mountint.h: one mounts[] entry, built detached and attached fd to fd.
 *
 * bind:  open_tree(source, OPEN_TREE_CLONE [| AT_RECURSIVE for rbind])
 *        -> mount_setattr (top mount: ro nosuid nodev noexec atime...;
 *           AT_RECURSIVE: rro rnosuid rnodev rnoexec...)
 *        -> [copyup] -> move_mount onto the in-root target -> propagation.
 * other: fsopen / fsconfig (each data option) / fsmount (attributes)
 *        -> move_mount onto the in-root target -> propagation.
 * Propagation is set on the attached mount through the same tree fd: a
 * detached mount has no peer group to join or leave. */
#include "mountint.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "copyup.h"
#include "inroot.h"
#include "report.h"

/* What the cgroup binds get whatever was asked: the host's hierarchy is
 * never writable from a container. */
#define CG_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* A failed mounts[] entry, said as crun does: "mount /data (bind from /srv/x)",
 * "mount /proc (proc)", "mount /mnt (ext4 from /dev/sdb1)", then what part
 * of it failed when not the mount itself ("propagation", "attributes"). */
__attribute__((noreturn)) static void mount_fail(const struct spec_mount *m, bool bind, const char *then, int err)
{
	const char *type = bind ? "bind" : *m->type ? m->type : "no type";
	const char *src = m->source && (bind || m->source[0] == '/') ? m->source : NULL;
	child_failf("mount", err, "%s (%s%s%s)%s%s", m->destination, type,
		    src ? " from " : bind ? " without a source" : "", src ? src : "", then && *then ? ": " : "",
		    then ? then : "");
}

/* Attaches tree onto target and sets the propagation asked, then closes both. */
static void attach(const struct spec_mount *m, bool bind, const struct mopts *o, int tree, int target)
{
	if (mnt_attach(tree, target) < 0)
		mount_fail(m, bind, NULL, errno);
	if (o->prop && mnt_setattr(tree, o->prop_rec, 0, 0, o->prop) < 0)
		mount_fail(m, bind, "propagation", errno);
	close(tree);
	close(target);
}

/* A bind never gets more than its source mount has: rw, suid, dev, exec only
 * mean "do not add ro, nosuid...", never "remove what the host has" (a
 * read-only host mount stays read-only). Atime modes are replaced. */
static uint64_t no_widen(uint64_t clr)
{
	return clr & MOUNT_ATTR__ATIME;
}

int bind_source(const struct spec_mount *m, const struct mopts *o, const char **then)
{
	*then = NULL;
	if (!m->source) {
		errno = EINVAL;
		return -1;
	}
	int src = open(m->source, O_PATH | O_CLOEXEC);
	if (src >= 0 && o->subpath) {
		/* Beneath the volume, no symlink anywhere, no other mount. */
		struct open_how how = { .flags = O_PATH | O_CLOEXEC,
					.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
		int sub = (int)syscall(SYS_openat2, src, o->subpath, &how, sizeof how);
		int e = errno;
		close(src);
		errno = e;
		*then = "subpath";
		return sub;
	}
	return src;
}

static void mount_bind(int rootfd, const struct spec_mount *m, const struct mopts *o, uint64_t res, int made)
{
	struct stat st;
	const char *then;
	/* A tree the monitor made (idmapped) is the source itself. */
	int src = made >= 0 ? made : bind_source(m, o, &then);
	if (src < 0 && then)
		mount_fail(m, true, then, errno);
	if (src < 0 || fstat(src, &st) < 0)
		mount_fail(m, true, NULL, errno);
	/* The target first: resolved once, and for copyup read through this
	 * same fd (what we copy is what we then cover). */
	int target = inroot_mkpath(rootfd, m->destination, !S_ISDIR(st.st_mode), res);
	if (target < 0)
		mount_fail(m, true, NULL, errno);
	if (o->copyup && S_ISDIR(st.st_mode))
		copyup(src, target, m->destination);
	int tree = made >= 0 ? made
			     : open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (o->rec ? AT_RECURSIVE : 0));
	if (tree < 0)
		mount_fail(m, true, "open_tree", errno);
	if (made < 0)
		close(src);
	/* Recursive attributes first, then the top mount's, which may add to
	 * them (rro + noexec). */
	if ((o->rset || o->rclr) && mnt_setattr(tree, true, o->rset, no_widen(o->rclr), 0) < 0)
		mount_fail(m, true, "recursive attributes", errno);
	if ((o->set || o->clr) && mnt_setattr(tree, false, o->set, no_widen(o->clr), 0) < 0)
		mount_fail(m, true, "attributes", errno);
	attach(m, true, o, tree, target);
}

static void mount_fs(int rootfd, const struct spec_mount *m, const struct mopts *o, uint64_t res)
{
	char why[200], then[256];
	int target = inroot_mkpath(rootfd, m->destination, false, res);
	if (target < 0)
		mount_fail(m, false, NULL, errno);
	int mnt = mnt_fs(m->type, m->source, o->data, o->set | o->rset, why, sizeof why);
	if (mnt < 0) {
		int e = errno;
		snprintf(then, sizeof then, "%.120s%s%.120s", o->data, *o->data && *why ? ": " : "", why);
		mount_fail(m, false, then, e);
	}
	attach(m, false, o, mnt, target);
}

/* Mounts a "cgroup" entry. Without a cgroup namespace the real hierarchy would
 * show the whole host tree, so, like runc on cgroup v1, we mount a tmpfs and
 * bind only the container's own cgroup directory of each hierarchy into it
 * (read-only), under the hierarchy's name (DIR = /sys/fs/cgroup/<name>/...).
 * On a pure cgroup v2 host the one directory is bound at the destination. */
static void mount_cgroup(int rootfd, const struct spec_mount *m, const struct mopts *o, const struct rootfs_opts *ro)
{
	struct statfs sfs;
	char then[PATH_MAX + 80];
	int target = inroot_mkpath(rootfd, m->destination, false, RESOLVE_NO_SYMLINKS);
	if (target < 0)
		mount_fail(m, false, NULL, errno);
	if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) {
		if (ro->ncgroups != 1) {
			close(target);
			return;
		}
		snprintf(then, sizeof then, "bind from %s", ro->cgroups[0]);
		int tree = open_tree(AT_FDCWD, ro->cgroups[0], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (tree < 0 || mnt_setattr(tree, false, CG_ATTRS | o->set, 0, 0) < 0)
			mount_fail(m, false, then, errno);
		attach(m, false, o, tree, target);
		return;
	}
	/* The tmpfs is attached first (binds go onto an attached mount), and
	 * made read-only last, through its own fd. */
	int mnt = mnt_fs("tmpfs", "cgroup", "mode=755", (o->set | o->rset) & ~MOUNT_ATTR_RDONLY, NULL, 0);
	if (mnt < 0 || mnt_attach(mnt, target) < 0)
		mount_fail(m, false, "tmpfs", errno);
	close(target);
	for (size_t i = 0; i < ro->ncgroups; i++) {
		const char *dir = ro->cgroups[i], *pre = "/sys/fs/cgroup/";
		char name[64];
		size_t n;
		if (strncmp(dir, pre, strlen(pre)) != 0)
			continue;
		dir += strlen(pre);
		n = strcspn(dir, "/");
		if (n == 0 || n >= sizeof name)
			continue;
		memcpy(name, dir, n);
		name[n] = 0;
		snprintf(then, sizeof then, "%s (bind from %s)", name, ro->cgroups[i]);
		if (mkdirat(mnt, name, 0755) < 0 && errno != EEXIST)
			mount_fail(m, false, then, errno);
		int t = openat(mnt, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int tree = open_tree(AT_FDCWD, ro->cgroups[i], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (t < 0 || tree < 0 || mnt_setattr(tree, false, CG_ATTRS, 0, 0) < 0 || mnt_attach(tree, t) < 0)
			mount_fail(m, false, then, errno);
		close(t);
		close(tree);
	}
	if ((o->set & MOUNT_ATTR_RDONLY) && mnt_setattr(mnt, false, MOUNT_ATTR_RDONLY, 0, 0) < 0)
		mount_fail(m, false, "read-only", errno);
	if (o->prop && mnt_setattr(mnt, o->prop_rec, 0, 0, o->prop) < 0)
		mount_fail(m, false, "propagation", errno);
	close(mnt);
}

void mount_entry(int rootfd, const struct spec_mount *m, const struct rootfs_opts *ro, int tree)
{
	struct mopts o;
	int perr = mopts_parse(m, &o) < 0 ? errno : 0;
	bool bind = o.bind || strcmp(m->type, "bind") == 0;
	if (perr)
		mount_fail(m, bind, "options", perr);
	if (!bind && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)) {
		mount_cgroup(rootfd, m, &o, ro);
		return;
	}
	if (o.copyup && !bind)
		mount_fail(m, bind, "copyup (bind only)", EINVAL);
	/* procfs and sysfs only on a path without symlinks (CVE-2019-16884,
	 * CVE-2019-19921: a /proc symlinked elsewhere). */
	uint64_t res = (strcmp(m->type, "proc") == 0 || strcmp(m->type, "sysfs") == 0) ? RESOLVE_NO_SYMLINKS : 0;
	if (bind)
		mount_bind(rootfd, m, &o, res, tree);
	else
		mount_fs(rootfd, m, &o, res);
}
