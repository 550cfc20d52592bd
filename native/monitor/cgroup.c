/* See cgroup.h. */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "util.h"

int cgroup_open_procs(char *const *dirs, size_t n, int *fds)
{
	char path[PATH_MAX];
	for (size_t i = 0; i < n; i++) {
		if ((size_t)snprintf(path, sizeof path, "%s/cgroup.procs", dirs[i]) >= sizeof path) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fds[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return -1;
	}
	return 0;
}

int cgroup_join_fds(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (write_all(fds[i], "0", 1) < 0)
			return -1;
	return 0;
}

int cgroup_join(char *const *dirs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int fd;
		if (cgroup_open_procs(&dirs[i], 1, &fd) < 0)
			return -1;
		int r = write_all(fd, "0", 1);
		int e = errno;
		close(fd);
		if (r < 0) {
			errno = e;
			return -1;
		}
	}
	return 0;
}
