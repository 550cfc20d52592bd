/* The container init between clone() and execve(): everything that happens
 * inside the new namespaces. */
#ifndef HUTCH_INIT_H
#define HUTCH_INIT_H

#include <stdbool.h>
#include <sys/ioctl.h>

#include "cgroup.h"
#include "net.h"
#include "spec.h"
#include "verbs.h"

struct init_args {
	const struct spec *s;
	const struct run_opts *o;
	const struct cgroup_set *cg; /* join files, opened before clone */
	const struct netplan *net;   /* fds and interfaces prepared before clone */
	int report;            /* child end of the report socket */
	int in_r;              /* read end of the stdin pipe, or -1 for /dev/null (no terminal) */
	int out_w, err_w;      /* write ends of the stdout/stderr pipes (no terminal) */
	struct winsize ws;     /* for the console when attached to a terminal */
	bool have_ws;
	/* hutch-runc: without a terminal, fds 0-2 are the caller's and stay as
	 * they are (runc); preserve_fds more after them stay open. */
	bool inherit_stdio;
	unsigned preserve_fds;
	/* hutch-runc: once set up, tell the caller (REPORT_PARKED), stop dying
	 * with it and wait in open() of exec.fifo (O_PATH fd exec_fifo, opened
	 * by create before clone) until `start` opens it for reading. */
	bool park;
	int exec_fifo;
	/* hutch-runc: config.json has hooks: before pivot_root, send
	 * REPORT_HOOKS and wait for the caller's go (one record on the report
	 * socket: the container's state JSON) while it runs prestart and
	 * createRuntime; then container_hooks runs createContainer there, and
	 * startContainer once started, before execve (it reports a failure
	 * itself). */
	bool hooks;
	void (*container_hooks)(const struct spec *s, const char *kind, const char *state);
};

__attribute__((noreturn)) void container_init(const struct init_args *a);

#endif
