/* See mounts.h. Order (PROTOCOL.md): / rprivate -> rootfs (overlay or bind) ->
 * mounts[] -> /dev nodes and symlinks -> console -> maskedPaths -> readonlyPaths
 * -> pivot_root -> root.readonly.
 *
 * Masked and read-only paths are done before pivot_root, resolved in the root
 * like everything else: the result is the same as doing them after, and it does
 * not depend on the container having a /proc of its own for /proc/self/fd. */
#include "mounts.h"

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
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inroot.h"
#include "pty.h"
#include "report.h"
#include "util.h"

#define PROPAGATION (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)
/* flags that a bind remount can change */
#define REMOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)

struct mopts {
	unsigned long flags; /* MS_* to set */
	unsigned long clear; /* MS_* explicitly cleared (rw, suid, dev, exec...) */
	unsigned long prop;  /* propagation, applied after the mount */
	char data[1024];     /* what is not a flag: mode=, size=, newinstance... */
};

static const struct {
	const char *name;
	unsigned long flag;
	int kind; /* 0 set, 1 clear, 2 propagation */
} opt_table[] = {
	{ "ro", MS_RDONLY, 0 }, { "rw", MS_RDONLY, 1 }, { "nosuid", MS_NOSUID, 0 }, { "suid", MS_NOSUID, 1 },
	{ "nodev", MS_NODEV, 0 }, { "dev", MS_NODEV, 1 }, { "noexec", MS_NOEXEC, 0 }, { "exec", MS_NOEXEC, 1 },
	{ "sync", MS_SYNCHRONOUS, 0 }, { "async", MS_SYNCHRONOUS, 1 }, { "dirsync", MS_DIRSYNC, 0 },
	{ "mand", MS_MANDLOCK, 0 }, { "nomand", MS_MANDLOCK, 1 }, { "noatime", MS_NOATIME, 0 },
	{ "atime", MS_NOATIME, 1 }, { "nodiratime", MS_NODIRATIME, 0 }, { "diratime", MS_NODIRATIME, 1 },
	{ "relatime", MS_RELATIME, 0 }, { "norelatime", MS_RELATIME, 1 }, { "strictatime", MS_STRICTATIME, 0 },
	{ "nostrictatime", MS_STRICTATIME, 1 }, { "bind", MS_BIND, 0 }, { "rbind", MS_BIND | MS_REC, 0 },
	{ "private", MS_PRIVATE, 2 }, { "rprivate", MS_PRIVATE | MS_REC, 2 }, { "shared", MS_SHARED, 2 },
	{ "rshared", MS_SHARED | MS_REC, 2 }, { "slave", MS_SLAVE, 2 }, { "rslave", MS_SLAVE | MS_REC, 2 },
	{ "unbindable", MS_UNBINDABLE, 2 }, { "runbindable", MS_UNBINDABLE | MS_REC, 2 },
	{ "defaults", 0, 0 }, { "tmpcopyup", 0, 0 }, /* tmpcopyup (runc) is not supported: ignored */
};

static int parse_opts(const struct spec_mount *m, struct mopts *o)
{
	memset(o, 0, sizeof *o);
	size_t dl = 0;
	for (size_t i = 0; i < m->noptions; i++) {
		const char *opt = m->options[i];
		unsigned j;
		for (j = 0; j < ARRAY_LEN(opt_table); j++)
			if (strcmp(opt, opt_table[j].name) == 0)
				break;
		if (j < ARRAY_LEN(opt_table)) {
			unsigned long f = opt_table[j].flag;
			if (opt_table[j].kind == 0) {
				o->flags |= f;
				o->clear &= ~f;
			} else if (opt_table[j].kind == 1) {
				o->clear |= f;
				o->flags &= ~f;
			} else {
				o->prop |= f;
			}
			continue;
		}
		size_t n = strlen(opt);
		if (dl + n + 2 > sizeof o->data) {
			errno = E2BIG;
			return -1;
		}
		if (dl)
			o->data[dl++] = ',';
		memcpy(o->data + dl, opt, n + 1);
		dl += n;
	}
	return 0;
}

static unsigned long statvfs_to_ms(unsigned long f)
{
	unsigned long ms = 0;
	if (f & ST_RDONLY)
		ms |= MS_RDONLY;
	if (f & ST_NOSUID)
		ms |= MS_NOSUID;
	if (f & ST_NODEV)
		ms |= MS_NODEV;
	if (f & ST_NOEXEC)
		ms |= MS_NOEXEC;
	return ms;
}

/* Remounts the bind mount at fd with flags, keeping nosuid/nodev/noexec/ro of
 * the mount as it is unless explicitly cleared: binding a nosuid host directory
 * must not make it suid in the container. */
static int bind_remount(int fd, unsigned long flags, unsigned long clear)
{
	char p[32];
	struct statvfs sv;
	if (fstatvfs(fd, &sv) < 0)
		return -1;
	flags |= statvfs_to_ms(sv.f_flag) & ~clear;
	return mount(NULL, fdpath(p, fd), NULL, MS_BIND | MS_REMOUNT | (flags & REMOUNT_FLAGS), NULL);
}

/* A failed mounts[] entry, said as crun does: "mount /data (bind from /srv/x)",
 * "mount /proc (proc)", "mount /mnt (ext4 from /dev/sdb1)", then what part
 * of it failed when not the mount itself (then: "remount"). */
__attribute__((noreturn)) static void mount_fail(const struct spec_mount *m, bool bind, const char *then, int err)
{
	const char *type = bind ? "bind" : *m->type ? m->type : "no type";
	const char *src = m->source && (bind || m->source[0] == '/') ? m->source : NULL;
	child_failf("mount", err, "%s (%s%s%s)%s%s", m->destination, type,
		    src ? " from " : bind ? " without a source" : "", src ? src : "", then ? ": " : "", then ? then : "");
}

/* Mounts a "cgroup" entry. Without a cgroup namespace the real hierarchy would
 * show the whole host tree, so, like runc on cgroup v1, we mount a tmpfs and
 * bind only the container's own cgroup directory of each hierarchy into it
 * (read-only), under the hierarchy's name (DIR = /sys/fs/cgroup/<name>/...).
 * On a pure cgroup v2 host the one directory is bound at the destination. */
static void mount_cgroup(int rootfd, const struct spec_mount *m, const struct mopts *o, const struct rootfs_opts *ro)
{
	char p[32], q[32];
	struct statfs sfs;
	unsigned long bindflags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char then[PATH_MAX + 80];
	int fd = inroot_mkpath(rootfd, m->destination, false, RESOLVE_NO_SYMLINKS);
	if (fd < 0)
		mount_fail(m, false, NULL, errno);
	if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) {
		if (ro->ncgroups == 1) {
			snprintf(then, sizeof then, "bind from %s", ro->cgroups[0]);
			int src = open(ro->cgroups[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (src < 0 || mount(fdpath(q, src), fdpath(p, fd), NULL, MS_BIND, NULL) < 0)
				mount_fail(m, false, then, errno);
			close(src);
			close(fd);
			if ((fd = inroot_open(rootfd, m->destination, O_PATH, RESOLVE_NO_SYMLINKS)) < 0 ||
			    bind_remount(fd, bindflags | o->flags, 0) < 0)
				mount_fail(m, false, "remount", errno);
		}
		close(fd);
		return;
	}
	if (mount("cgroup", fdpath(p, fd), "tmpfs", (o->flags & ~(MS_RDONLY | MS_BIND | MS_REC)), "mode=755") < 0)
		mount_fail(m, false, "tmpfs", errno);
	close(fd);
	if ((fd = inroot_open(rootfd, m->destination, O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS)) < 0)
		mount_fail(m, false, NULL, errno);
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
		if (mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
			mount_fail(m, false, then, errno);
		int t = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int src = open(ro->cgroups[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (t < 0 || src < 0 || mount(fdpath(q, src), fdpath(p, t), NULL, MS_BIND, NULL) < 0)
			mount_fail(m, false, then, errno);
		close(t);
		close(src);
		snprintf(then, sizeof then, "%s: remount", name);
		if ((t = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
		    bind_remount(t, bindflags, 0) < 0)
			mount_fail(m, false, then, errno);
		close(t);
	}
	/* fd is the tmpfs root itself: remount it with the flags asked (ro) */
	if (bind_remount(fd, o->flags, o->clear) < 0)
		mount_fail(m, false, "remount", errno);
	close(fd);
}

static void do_mount(int rootfd, const struct spec_mount *m, const struct rootfs_opts *ro)
{
	struct mopts o;
	char p[32], q[32];
	int perr = parse_opts(m, &o) < 0 ? errno : 0;
	bool bind = (o.flags & MS_BIND) || strcmp(m->type, "bind") == 0;
	if (perr)
		mount_fail(m, bind, "options", perr);
	if (!bind && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)) {
		mount_cgroup(rootfd, m, &o, ro);
		return;
	}
	/* procfs and sysfs only on a path without symlinks (CVE-2019-16884,
	 * CVE-2019-19921: a /proc symlinked elsewhere). */
	uint64_t res = (strcmp(m->type, "proc") == 0 || strcmp(m->type, "sysfs") == 0) ? RESOLVE_NO_SYMLINKS : 0;
	int src = -1, fd;
	if (bind) {
		struct stat st;
		if (!m->source || (src = open(m->source, O_PATH | O_CLOEXEC)) < 0 || fstat(src, &st) < 0)
			mount_fail(m, bind, NULL, m->source ? errno : EINVAL);
		fd = inroot_mkpath(rootfd, m->destination, !S_ISDIR(st.st_mode), res);
		if (fd < 0 || mount(fdpath(q, src), fdpath(p, fd), NULL, MS_BIND | (o.flags & MS_REC), NULL) < 0)
			mount_fail(m, bind, NULL, errno);
		close(src);
	} else {
		fd = inroot_mkpath(rootfd, m->destination, false, res);
		if (fd < 0 || mount(m->source ? m->source : m->type, fdpath(p, fd), m->type,
				    o.flags & ~(MS_BIND | MS_REC), o.data[0] ? o.data : NULL) < 0)
			mount_fail(m, bind, NULL, errno);
	}
	if (!(o.prop || (bind && (o.flags & REMOUNT_FLAGS))))
		goto out;
	/* fd still names the directory under the new mount; reopen to get the
	 * mount itself before changing its flags or propagation. */
	close(fd);
	if ((fd = inroot_open(rootfd, m->destination, O_PATH, res)) < 0)
		mount_fail(m, bind, NULL, errno);
	if (bind && (o.flags & REMOUNT_FLAGS) && bind_remount(fd, o.flags, o.clear) < 0)
		mount_fail(m, bind, "remount", errno);
	if (o.prop && mount(NULL, fdpath(p, fd), NULL, o.prop, NULL) < 0)
		mount_fail(m, bind, "propagation", errno);
out:
	close(fd);
}

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
		int src = open(host, O_PATH | O_CLOEXEC);
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
	char p[32], q[32];
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
		int r;
		if (S_ISDIR(st.st_mode))
			r = mount("tmpfs", fdpath(p, fd), "tmpfs", MS_RDONLY, NULL);
		else
			r = mount(fdpath(q, null), fdpath(p, fd), NULL, MS_BIND, NULL);
		if (r < 0)
			child_failf("maskedPaths", errno, "%s", s->masked[i]);
		close(fd);
	}
	close(null);
}

static void readonly_paths(int rootfd, const struct spec *s)
{
	char p[32];
	for (size_t i = 0; i < s->nreadonly; i++) {
		int fd = inroot_open(rootfd, s->readonly[i], O_PATH, 0);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0 || mount(fdpath(p, fd), p, NULL, MS_BIND | MS_REC, NULL) < 0)
			child_failf("readonlyPaths", errno, "%s", s->readonly[i]);
		close(fd);
		if ((fd = inroot_open(rootfd, s->readonly[i], O_PATH, 0)) < 0 ||
		    bind_remount(fd, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, 0) < 0)
			child_failf("readonlyPaths", errno, "%s: remount", s->readonly[i]);
		close(fd);
	}
}

int rootfs_setup(const struct spec *s, const struct rootfs_opts *o)
{
	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_failf("rprivate", errno, "/");
	if (s->overlay) {
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
		do_mount(rootfd, &s->mounts[i], o);
	if (mounts_dev_tmpfs(s))
		setup_dev(rootfd);
	int slave = s->terminal ? setup_console(rootfd, o->ws) : -1;
	mask_paths(rootfd, s);
	readonly_paths(rootfd, s);

	/* pivot_root(".", ".") stacks the old root on the new one; detaching "."
	 * then removes the old root without needing a directory for it. */
	if (fchdir(rootfd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		child_failf("pivot_root", errno, "%s", s->root_path);
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		child_failf("pivot_root", errno, "%s: detaching the old root", s->root_path);
	close(rootfd);

	if (s->root_readonly) {
		struct statvfs sv;
		if (statvfs("/", &sv) < 0 ||
		    mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | statvfs_to_ms(sv.f_flag), NULL) < 0)
			child_failf("readonly_root", errno, "/");
	}
	return slave;
}
