/* See inroot.h. */
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int inroot_open(int rootfd, const char *path, int flags, uint64_t extra_resolve)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve,
	};
	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	long fd;
	do
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
	while (fd < 0 && (errno == EAGAIN || errno == EINTR)); /* EAGAIN: a rename raced the walk */
	return (int)fd;
}

/* One pass of inroot_mkpath over buf. Returns the fd, -1 (errno), or -2 when
 * a component is a dangling symlink: buf is then rewritten to go through the
 * link's text (absolute: from the root; relative: from its directory), so the
 * caller walks again and creates what the link names, inside the root (runc
 * does the same for "a bind mount through a dangling symlink"). */
static int mkpath_pass(int rootfd, char *buf, bool as_file, uint64_t extra_resolve)
{
	int fd, parent = rootfd;
	char *p = buf;
	for (;;) {
		while (*p == '/')
			p++;
		char *name = p;
		while (*p && *p != '/')
			p++;
		char saved = *p;
		*p = 0;
		bool last = true;
		/* *p was just cut to 0: look at what followed it */
		for (char *q = p + 1; saved && *q; q++)
			if (*q != '/') {
				last = false;
				break;
			}
		/* Resolve the whole prefix from the root each time: resolving one name
		 * relative to the previous directory would make that directory the
		 * root for "..", absolute symlinks and magic links. */
		fd = inroot_open(rootfd, buf, O_PATH, extra_resolve);
		if (fd < 0 && errno == ENOENT && *name) {
			int r;
			if (last && as_file) {
				r = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (r >= 0)
					close(r);
			} else {
				r = mkdirat(parent, name, 0755);
			}
			/* EEXIST: a dangling symlink or a racing creator; the reopen
			 * below decides, still inside the root. */
			if (r < 0 && errno != EEXIST) {
				fd = -1;
			} else {
				fd = inroot_open(rootfd, buf, O_PATH, extra_resolve);
			}
			char link[PATH_MAX], next[PATH_MAX];
			ssize_t n;
			if (fd < 0 && errno == ENOENT && r < 0 &&
			    (n = readlinkat(parent, name, link, sizeof link - 1)) > 0) {
				link[n] = 0;
				int len = snprintf(next, sizeof next, "%.*s/%s/%s", link[0] == '/' ? 0 : (int)(name - buf),
						   buf, link, saved ? p + 1 : "");
				if (parent != rootfd)
					close(parent);
				if (len < 0 || (size_t)len >= sizeof next) {
					errno = ENAMETOOLONG;
					return -1;
				}
				memcpy(buf, next, (size_t)len + 1);
				return -2;
			}
		}
		if (fd < 0) {
			int e = errno;
			if (parent != rootfd)
				close(parent);
			errno = e;
			return -1;
		}
		if (parent != rootfd)
			close(parent);
		if (last)
			return fd;
		parent = fd;
		*p = saved;
	}
}

int inroot_mkpath(int rootfd, const char *path, bool as_file, uint64_t extra_resolve)
{
	int fd = inroot_open(rootfd, path, O_PATH, extra_resolve);
	if (fd >= 0 || errno != ENOENT)
		return fd;

	char buf[PATH_MAX];
	if (strlen(path) >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	/* 40 links followed at most, as the kernel's own path walk */
	for (int hops = 0; hops <= 40; hops++)
		if ((fd = mkpath_pass(rootfd, buf, as_file, extra_resolve)) != -2)
			return fd;
	errno = ELOOP;
	return -1;
}

char *fdpath(char *buf, int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}
