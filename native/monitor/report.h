/* How a child (the container init being set up, or the process of `exec`)
 * tells the monitor that a setup step failed.
 *
 * The channel is a SOCK_SEQPACKET socket pair (one message per record, and able
 * to carry an fd). The child's end is CLOEXEC, so a successful execve closes it
 * and the monitor reads EOF: "the command runs". Before that, the child may send
 * one REPORT_ERROR record (step + errno + what the step was doing, then it
 * exits), with the annotation run.hutch.dns the two DNS sockets, and, for a
 * container with a terminal, one REPORT_CONSOLE record carrying the pty
 * master. */
#ifndef HUTCH_REPORT_H
#define HUTCH_REPORT_H

/* REPORT_DNS_*: the embedded DNS server's sockets, bound in the container's
 * network namespace (dns.h). */
/* REPORT_PARKED: hutch-runc's init is set up and about to wait on exec.fifo;
 * REPORT_HOOKS: it waits before pivot_root while hutch-runc runs hooks. */
enum report_kind {
	REPORT_ERROR = 1,
	REPORT_CONSOLE = 2,
	REPORT_DNS_UDP = 3,
	REPORT_DNS_TCP = 4,
	REPORT_PARKED = 5,
	REPORT_HOOKS = 6,
};

struct report {
	int kind;
	int err;
	char step[32];
	/* What the step was doing, as crun says it: "/data (bind from /srv/x)" for
	 * step "mount", "RLIMIT_NOFILE (soft 10, hard 5)" for "rlimits"; "" when
	 * the step says it all. Paths and numbers only, never a secret. NUL-
	 * terminated, cut with "..." when longer. */
	char detail[256];
};

/* Child side: the fd reports go to (set once after fork/clone). */
extern int report_fd;

/* Child side: sends (step, err) and _exit(1)s. */
__attribute__((noreturn)) void child_fail(const char *step, int err);

/* child_fail with a detail, formatted like printf (no heap: into the record).
 * Pass errno as an argument: it is read before the formatting. */
__attribute__((noreturn, format(printf, 3, 4))) void child_failf(const char *step, int err, const char *fmt, ...);

/* Child side: sends the pty master. 0 or -1. */
int report_send_fd(int fd);

/* Child side: sends fd in a record of that kind. 0 or -1. */
int report_send_kind_fd(int kind, int fd);

/* Monitor side: reads one record. Returns 1 with *r (and *fd for a console
 * record, else -1), 0 on EOF, -1 on error. */
int report_recv(int sock, struct report *r, int *fd);

/* Monitor side, for a process that sends no fd of use (exec's): reads until
 * the child's execve closes its end (0: the command runs) or an error record
 * (1, in *r); fds that come are closed. -1 on error. */
int report_until_exec(int sock, struct report *r);

/* Monitor side: tells a setup failure to the engine. With a sync fd (>= 0),
 * the line `error <step> <ERRNAME> <errno>[ <detail>]` (PROTOCOL.md; the
 * detail is the rest of the line); without one, a line on stderr,
 * `hutch-monitor: <verb>: <step>[: <detail>]: <ERRNAME> (<strerror>)`. The
 * detail's control characters are written as '?', so either stays one line. */
void report_failure(int sync_fd, const char *verb, const char *step, int err, const char *detail);

#endif
