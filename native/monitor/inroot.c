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
	int parent = rootfd;
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

char *fdpath(char *buf, int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}
