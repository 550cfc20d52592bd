/* The last steps before execve, shared by the container init (`run`) and the
 * process of `exec`: rlimits, no_new_privs, user and capabilities, umask, env,
 * cwd (checked), signal state, fds, and execve with a PATH search. */
#ifndef HUTCH_PROC_H
#define HUTCH_PROC_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

struct proc_opts {
	char *const *env;   /* extra K=V entries overriding process.env (exec --env) */
	size_t nenv;
	const char *cwd;    /* overrides process.cwd when not NULL (exec --cwd) */
	char *const *argv;  /* overrides process.args when not NULL (exec) */
	bool keep_pdeathsig; /* the container init: SIGKILL when the monitor dies, also after execve */
	unsigned keep_fds;  /* fds 3 .. 3+keep_fds-1 stay open across execve (hutch-runc --preserve-fds) */
};

/* The first steps of a command's child after cgroup_clone (exec's, and
 * hutch-runc exec's): failures reported on report (report.h), killed with its
 * parent, in the rest of cg's cgroups, a session of its own. Returns only
 * when all of it is done. */
struct cgroup_set;
void proc_child_start(const struct cgroup_set *cg, int report);

/* Does not return: execs, or reports the failing step with child_fail(). */
__attribute__((noreturn)) void proc_exec(const struct spec *s, const struct proc_opts *o);

#endif
