/* Joining cgroups: the engine creates the directories and applies the limits;
 * the monitor only moves the container's first process in.
 *
 * How matters for start latency. Writing to a `cgroup.procs` file takes the
 * kernel's global threadgroup rwsem for writing, which waits for an RCU grace
 * period (~10 ms here) unless another write happened moments before. Two ways
 * in skip it (kernel/cgroup/cgroup.c, cgroup_procs_write_start and
 * cgroup_css_set_fork): writing "0" to a v1 hierarchy's `tasks` file moves only
 * the calling thread — our child is single-threaded, so that is the whole
 * process — and clone3(CLONE_INTO_CGROUP) starts the child inside the v2
 * directory. `cgroup.procs` stays the fallback for kernels without
 * CLONE_INTO_CGROUP (< 5.7). */
#ifndef HUTCH_CGROUP_H
#define HUTCH_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cgroup_task {
	int fd;		 /* DIR/tasks, O_WRONLY */
	const char *dir; /* DIR, for error messages */
};

struct cgroup_set {
	struct cgroup_task *tasks; /* v1 hierarchies */
	size_t ntasks;
	int v2_dir;	 /* the v2 directory (O_RDONLY|O_DIRECTORY) for CLONE_INTO_CGROUP, or -1 */
	int v2_procs;	 /* its cgroup.procs, for the fallback, or -1 */
	const char *v2_path; /* its path, for error messages */
	bool v2_joined;	 /* set by cgroup_clone when the child started inside v2_dir */
};

/* Opens every directory's join file (close-on-exec), telling v1 from v2 by
 * the filesystem type. Done before the child changes mount namespace, where
 * the paths are no longer reachable. 0 or -1 (errno, and *bad the directory
 * that failed, or NULL). dirs must outlive s. */
int cgroup_set_open(char *const *dirs, size_t n, struct cgroup_set *s, const char **bad);

/* clone3() with fork() semantics, extra flags (CLONE_NEW*), a pidfd when
 * pidfd != NULL, and the child started inside the v2 cgroup when there is
 * one. 0 in the child, its pid in the parent, -1 (errno). */
pid_t cgroup_clone(struct cgroup_set *s, unsigned long flags, int *pidfd);

/* In the child: joins the v1 hierarchies (and v2, if clone could not).
 * 0 or -1 (errno, and *bad the directory that failed). */
int cgroup_set_join(const struct cgroup_set *s, const char **bad);

void cgroup_set_close(struct cgroup_set *s);

#endif
