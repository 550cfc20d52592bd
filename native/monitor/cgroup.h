/* Joining cgroups: the engine creates the directories and applies the limits;
 * the monitor only moves a process in, by writing "0" (the writer itself) to
 * each directory's cgroup.procs. */
#ifndef HUTCH_CGROUP_H
#define HUTCH_CGROUP_H

#include <stddef.h>

/* Moves the calling process into every dir. 0 or -1 (errno). */
int cgroup_join(char *const *dirs, size_t n);

/* For `exec`, where the directories are unreachable once in the container's
 * mount namespace: open every DIR/cgroup.procs first (fds[] CLOEXEC), ... */
int cgroup_open_procs(char *const *dirs, size_t n, int *fds);
/* ... and write "0" through them later, in the child. */
int cgroup_join_fds(const int *fds, size_t n);

#endif
