/* See cgroup.h. */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static int open_in(int dirfd, const char *name)
{
	return openat(dirfd, name, O_WRONLY | O_CLOEXEC);
}

/* One directory: v2 (kept open for CLONE_INTO_CGROUP, plus its cgroup.procs)
 * or a v1 hierarchy (its tasks file). Takes ownership of dir. */
static int add_dir(struct cgroup_set *s, int dir, const char *path)
{
	struct statfs fs;
	if (fstatfs(dir, &fs) < 0)
		goto fail;
	if (fs.f_type == CGROUP2_SUPER_MAGIC) {
		if (s->v2_dir >= 0) { /* there is only one v2 hierarchy */
			errno = EINVAL;
			goto fail;
		}
		s->v2_dir = dir;
		s->v2_path = path;
		s->v2_procs = open_in(dir, "cgroup.procs");
		return s->v2_procs < 0 ? -1 : 0;
	}
	int fd = open_in(dir, "tasks");
	if (fd < 0)
		goto fail;
	close(dir);
	s->tasks[s->ntasks++] = (struct cgroup_task){ fd, path };
	return 0;
fail:;
	int e = errno;
	close(dir);
	errno = e;
	return -1;
}

int cgroup_set_open(char *const *dirs, size_t n, struct cgroup_set *s, const char **bad)
{
	*s = (struct cgroup_set){ .v2_dir = -1, .v2_procs = -1 };
	*bad = NULL;
	s->tasks = calloc(n ? n : 1, sizeof *s->tasks);
	if (!s->tasks)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int dir = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0 || add_dir(s, dir, dirs[i]) < 0) {
			int e = errno;
			cgroup_set_close(s);
			*bad = dirs[i];
			errno = e;
			return -1;
		}
	}
	return 0;
}

static long clone3_raw(unsigned long long flags, int *pidfd, int cgroup_fd)
{
	struct clone_args a;
	memset(&a, 0, sizeof a);
	a.flags = flags;
	a.pidfd = (uint64_t)(uintptr_t)pidfd;
	a.exit_signal = SIGCHLD;
	a.cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0;
	return syscall(SYS_clone3, &a, sizeof a);
}

pid_t cgroup_clone(struct cgroup_set *s, unsigned long flags, int *pidfd)
{
	unsigned long long f = flags | (pidfd ? CLONE_PIDFD : 0);
	s->v2_joined = false;
	if (s->v2_dir >= 0) {
		long r = clone3_raw(f | CLONE_INTO_CGROUP, pidfd, s->v2_dir);
		if (r >= 0) {
			if (r == 0)
				s->v2_joined = true;
			return (pid_t)r;
		}
		/* Old kernel (ENOSYS, E2BIG, EINVAL): the child writes cgroup.procs.
		 * Any other error is the clone's own, and repeats below. */
	}
	long r = clone3_raw(f, pidfd, -1);
	if (r < 0 && errno == ENOSYS) /* before 5.3; CLONE_PIDFD is from 5.2 */
		r = syscall(SYS_clone, f, NULL, pidfd, NULL, 0);
	return (pid_t)r;
}

int cgroup_set_join(const struct cgroup_set *s, const char **bad)
{
	for (size_t i = 0; i < s->ntasks; i++)
		if (write_all(s->tasks[i].fd, "0", 1) < 0) {
			*bad = s->tasks[i].dir;
			return -1;
		}
	if (s->v2_procs >= 0 && !s->v2_joined && write_all(s->v2_procs, "0", 1) < 0) {
		*bad = s->v2_path;
		return -1;
	}
	return 0;
}

void cgroup_set_close(struct cgroup_set *s)
{
	for (size_t i = 0; i < s->ntasks; i++)
		close(s->tasks[i].fd);
	free(s->tasks);
	s->tasks = NULL;
	s->ntasks = 0;
	if (s->v2_dir >= 0)
		close(s->v2_dir);
	if (s->v2_procs >= 0)
		close(s->v2_procs);
	s->v2_dir = s->v2_procs = -1;
}
