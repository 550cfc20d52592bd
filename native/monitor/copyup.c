/* See copyup.h. Runs in the container init, after the rootfs is mounted and
 * before the volume is attached over the destination, as real root with every
 * capability (fchown, mknod, linkat AT_EMPTY_PATH and security.* xattrs need
 * them).
 *
 * Both trees are walked by fd only. The image's tree is the container's to
 * shape (symlinks anywhere), and a volume may be shared with another, running
 * container: so every name is looked at with fstatat(AT_SYMLINK_NOFOLLOW) and
 * opened with O_NOFOLLOW, created with O_EXCL / mkdirat / mknodat /
 * symlinkat, and changed through its fd or with AT_SYMLINK_NOFOLLOW. A
 * symlink is copied as a link, never read through. */
#include "copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "report.h"

#define MAX_DEPTH 256 /* one fd per level on each side */
#define MAX_LINKS 256 /* hardlinked files kept open to link to; more are copied */

struct link {
	dev_t dev;
	ino_t ino;
	nlink_t left; /* links of it still to meet in the tree */
	int fd;       /* the copy, for linkat(AT_EMPTY_PATH) */
};

struct cu {
	const char *dest;
	char path[PATH_MAX]; /* relative to dest, for errors */
	struct link links[MAX_LINKS];
	size_t nlinks;
	char xnames[65536], xval[65536];
};

static char iobuf[1 << 16];

__attribute__((noreturn)) static void fail(struct cu *c, const char *what, int err)
{
	child_failf("copyup", err, "%s (%s%s%s)", c->dest, c->path, *c->path ? ": " : "", what);
}

/* getdents64 with a buffer of the caller's: 0 at the end, -1 on error. */
static long dents(int fd, char *buf, size_t len)
{
	return syscall(SYS_getdents64, fd, buf, len);
}

static bool dot(const char *n)
{
	return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

static void copy_xattrs(struct cu *c, int s, int d)
{
	ssize_t n = flistxattr(s, c->xnames, sizeof c->xnames);
	if (n < 0) {
		if (errno == ENOTSUP)
			return;
		fail(c, "listxattr", errno);
	}
	for (char *k = c->xnames; k < c->xnames + n; k += strlen(k) + 1) {
		ssize_t v = fgetxattr(s, k, c->xval, sizeof c->xval);
		if (v < 0 && errno == ENODATA)
			continue;
		if (v < 0)
			fail(c, k, errno);
		/* The volume's filesystem may not take a namespace (user.* on
		 * some); the rest of the copy is still what was asked. */
		if (fsetxattr(d, k, c->xval, (size_t)v, 0) < 0 && errno != ENOTSUP)
			fail(c, k, errno);
	}
}

/* Owner, then mode (chown cleared setuid bits and security.capability), then
 * xattrs, then times (last: nothing after changes them). */
static void meta(struct cu *c, int s, int d, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	if (fchown(d, st->st_uid, st->st_gid) < 0)
		fail(c, "chown", errno);
	if (fchmod(d, st->st_mode & 07777) < 0)
		fail(c, "chmod", errno);
	copy_xattrs(c, s, d);
	if (futimens(d, ts) < 0)
		fail(c, "utimens", errno);
}

static void copy_data(struct cu *c, int s, int d)
{
	ssize_t n;
	while ((n = copy_file_range(s, NULL, d, NULL, 1 << 30, 0)) > 0)
		;
	if (n == 0)
		return;
	if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		fail(c, "copy", errno);
	/* Across filesystems the kernel may refuse: plain reads and writes, from
	 * where copy_file_range left both offsets. */
	while ((n = read(s, iobuf, sizeof iobuf)) > 0)
		if (write(d, iobuf, (size_t)n) != n)
			fail(c, "write", errno ? errno : EIO);
	if (n < 0)
		fail(c, "read", errno);
}

static struct link *find_link(struct cu *c, const struct stat *st)
{
	for (size_t i = 0; i < c->nlinks; i++)
		if (c->links[i].fd >= 0 && c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino)
			return &c->links[i];
	return NULL;
}

static void copy_file(struct cu *c, int sdir, int ddir, const char *name, const struct stat *st)
{
	struct link *l = st->st_nlink > 1 ? find_link(c, st) : NULL;
	if (l) {
		if (linkat(l->fd, "", ddir, name, AT_EMPTY_PATH) < 0)
			fail(c, "link", errno);
		if (--l->left == 0) {
			close(l->fd);
			l->fd = -1;
		}
		return;
	}
	struct stat fst;
	int s = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (s < 0 || fstat(s, &fst) < 0)
		fail(c, "open", errno);
	if (!S_ISREG(fst.st_mode) || fst.st_ino != st->st_ino || fst.st_dev != st->st_dev)
		fail(c, "changed while copied", EAGAIN);
	int d = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (d < 0)
		fail(c, "create", errno);
	copy_data(c, s, d);
	meta(c, s, d, st);
	close(s);
	if (st->st_nlink > 1 && c->nlinks < MAX_LINKS) {
		c->links[c->nlinks++] = (struct link){ st->st_dev, st->st_ino, st->st_nlink - 1, d };
		return;
	}
	close(d);
}

/* A symlink, device node, fifo or socket: made by name in ddir, then changed
 * by name with AT_SYMLINK_NOFOLLOW only (mknodat took the whole mode: the
 * init's umask is 0). Their xattrs are not copied: reading them would take
 * opening the node. */
static void copy_other(struct cu *c, int sdir, int ddir, const char *name, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(sdir, name, target, sizeof target - 1);
		if (n < 0)
			fail(c, "readlink", errno);
		target[n] = 0;
		if (symlinkat(target, ddir, name) < 0)
			fail(c, "symlink", errno);
	} else if (mknodat(ddir, name, st->st_mode, st->st_rdev) < 0) {
		fail(c, "mknod", errno);
	}
	if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		fail(c, "chown", errno);
	if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		fail(c, "utimens", errno);
}

static void copy_dir(struct cu *c, int sdir, int ddir, int depth);

static void copy_entry(struct cu *c, int sdir, int ddir, const char *name, int depth)
{
	struct stat st;
	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		fail(c, "stat", errno);
	if (S_ISREG(st.st_mode)) {
		copy_file(c, sdir, ddir, name, &st);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		copy_other(c, sdir, ddir, name, &st);
		return;
	}
	if (depth >= MAX_DEPTH)
		fail(c, "too deep", ELOOP);
	/* 0700 until it is filled: nobody else enters it half made. */
	if (mkdirat(ddir, name, 0700) < 0)
		fail(c, "mkdir", errno);
	int s = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int d = s < 0 ? -1 : openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s < 0 || d < 0)
		fail(c, "open", errno);
	copy_dir(c, s, d, depth + 1);
	meta(c, s, d, &st);
	close(s);
	close(d);
}

static void copy_dir(struct cu *c, int sdir, int ddir, int depth)
{
	char buf[4096];
	size_t plen = strlen(c->path);
	long n;
	while ((n = dents(sdir, buf, sizeof buf)) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64 *e = (struct dirent64 *)(buf + off);
			off += e->d_reclen;
			if (dot(e->d_name))
				continue;
			if (plen + strlen(e->d_name) + 2 < sizeof c->path)
				snprintf(c->path + plen, sizeof c->path - plen, "%s%s", plen ? "/" : "", e->d_name);
			copy_entry(c, sdir, ddir, e->d_name, depth);
			c->path[plen] = 0;
		}
	}
	if (n < 0)
		fail(c, "readdir", errno);
}

/* 1 when fd's directory has nothing but . and .., 0 when it has, -1 on error. */
static int empty_dir(int fd)
{
	char buf[1024];
	long n;
	while ((n = dents(fd, buf, sizeof buf)) > 0)
		for (long off = 0; off < n;) {
			struct dirent64 *e = (struct dirent64 *)(buf + off);
			off += e->d_reclen;
			if (!dot(e->d_name))
				return 0;
		}
	return n == 0 ? 1 : -1;
}

void copyup(int src, int target, const char *dest)
{
	/* Static: the init runs it once, and 130 KiB of xattr buffers do not
	 * belong on its stack. */
	static struct cu c;
	struct stat st;
	c.dest = dest;
	c.path[0] = 0;
	c.nlinks = 0;
	if (fstat(target, &st) < 0)
		fail(&c, "stat", errno);
	if (!S_ISDIR(st.st_mode))
		return;
	int d = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		fail(&c, "volume", errno);
	int empty = empty_dir(d);
	if (empty < 0)
		fail(&c, "volume: readdir", errno);
	if (!empty) {
		/* A volume that holds anything is the user's: never written. */
		close(d);
		return;
	}
	int s = openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s < 0)
		fail(&c, "open", errno);
	copy_dir(&c, s, d, 0);
	meta(&c, s, d, &st);
	for (size_t i = 0; i < c.nlinks; i++)
		if (c.links[i].fd >= 0)
			close(c.links[i].fd);
	close(s);
	close(d);
}
