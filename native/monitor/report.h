/* How a child (the container init being set up, or the process of `exec`)
 * tells the monitor that a setup step failed.
 *
 * The channel is a SOCK_SEQPACKET socket pair (one message per record, and able
 * to carry an fd). The child's end is CLOEXEC, so a successful execve closes it
 * and the monitor reads EOF: "the command runs". Before that, the child may send
 * one REPORT_ERROR record (step + errno, then it exits) and, for a container
 * with a terminal, one REPORT_CONSOLE record carrying the pty master. */
#ifndef HUTCH_REPORT_H
#define HUTCH_REPORT_H

enum report_kind { REPORT_ERROR = 1, REPORT_CONSOLE = 2 };

struct report {
	int kind;
	int err;
	char step[32];
};

/* Child side: the fd reports go to (set once after fork/clone). */
extern int report_fd;

/* Child side: sends (step, err) and _exit(1)s. */
__attribute__((noreturn)) void child_fail(const char *step, int err);

/* Child side: sends the pty master. 0 or -1. */
int report_send_fd(int fd);

/* Monitor side: reads one record. Returns 1 with *r (and *fd for a console
 * record, else -1), 0 on EOF, -1 on error. */
int report_recv(int sock, struct report *r, int *fd);

#endif
