/* See devnodes.h. */
#include "devnodes.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inroot.h"
#include "report.h"
#include "util.h"

void devnodes_create(int rootfd, const struct spec *s)
{
	for (size_t i = 0; i < s->ndevices; i++) {
		const struct spec_device *d = &s->devices[i];
		char dir[PATH_MAX];
		const char *slash = strrchr(d->path, '/'), *base = slash + 1;
		size_t dl = (size_t)(slash - d->path);
		if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || dl >= sizeof dir)
			child_failf("devices", EINVAL, "%s", d->path);
		memcpy(dir, d->path, dl);
		dir[dl] = 0;
		/* The directory resolved inside the root (symlinks stay inside),
		 * the node made by name in it: nothing outside can be reached. */
		int dfd = inroot_mkpath(rootfd, dl ? dir : "/", false, 0);
		if (dfd < 0)
			child_failf("devices", errno, "%s", d->path);
		mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
		if (mknodat(dfd, base, type | (d->mode & 07777), makedev(d->major, d->minor)) == 0) {
			if (fchownat(dfd, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
				child_failf("devices", errno, "%s (chown %u:%u)", d->path, (unsigned)d->uid, (unsigned)d->gid);
		} else if (errno != EEXIST) {
			child_failf("devices", errno, "%s (%c %u:%u)", d->path, d->type, d->major, d->minor);
		}
		close(dfd);
	}
}

void sysctl_apply(int rootfd, const struct spec *s)
{
	if (!s->nsysctls)
		return;
	struct statfs sfs;
	int proc = inroot_open(rootfd, "/proc", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
	if (proc < 0 || fstatfs(proc, &sfs) < 0)
		child_failf("sysctl", errno, "/proc");
	if (sfs.f_type != PROC_SUPER_MAGIC)
		child_failf("sysctl", EINVAL, "/proc (not a procfs)");
	for (size_t i = 0; i < s->nsysctls; i++) {
		const struct spec_sysctl *x = &s->sysctls[i];
		char rel[PATH_MAX];
		int n = snprintf(rel, sizeof rel, "sys/%s", x->key);
		if (n < 0 || (size_t)n >= sizeof rel)
			child_failf("sysctl", ENAMETOOLONG, "%s", x->key);
		/* sysctl(8)'s convention: '.' separates, '/' stands for a dot */
		for (char *p = rel + 4; *p; p++)
			*p = *p == '.' ? '/' : *p == '/' ? '.' : *p;
		struct open_how how = { .flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
					.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
		int fd = (int)syscall(SYS_openat2, proc, rel, &how, sizeof how);
		if (fd < 0 || fstatfs(fd, &sfs) < 0)
			child_failf("sysctl", errno, "%s", x->key);
		if (sfs.f_type != PROC_SUPER_MAGIC)
			child_failf("sysctl", EINVAL, "%s (not a procfs file)", x->key);
		if (write_all(fd, x->value, strlen(x->value)) < 0)
			child_failf("sysctl", errno, "%s=%s", x->key, x->value);
		close(fd);
	}
	close(proc);
}
