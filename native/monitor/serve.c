/* See serve.h. */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "util.h"

static char sock_name[32];

int serve_listen(const char *dir)
{
	snprintf(sock_name, sizeof sock_name, "exec-%d.sock", (int)getpid());
	if (attach_listen_at(dir, sock_name) < 0)
		return -1;
	return attach_backlog(SERVE_BACKLOG);
}

/* What the pty has now, to the clients. 0 at EOF (EIO: the last slave fd closed). */
static long pump_out(int master)
{
	char buf[16384];
	ssize_t n = read(master, buf, sizeof buf);
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? -1 : 0;
	if (n > 0)
		attach_broadcast(ATTACH_STDOUT, buf, (size_t)n);
	return n;
}

int serve_run(int *master, pid_t pid, int sigfd)
{
	int m = *master;
	*master = -1;
	/* attach owns its fd (it closes it when input stops): a copy of the master. */
	attach_io(fcntl(m, F_DUPFD_CLOEXEC, 3), true, true);
	fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
	int status = -1;
	while (status < 0) {
		struct pollfd pfd[2 + ATTACH_POLL_FDS] = { { sigfd, POLLIN, 0 }, { m, POLLIN, 0 } };
		attach_poll(&pfd[2]);
		if (poll(pfd, 2 + ATTACH_POLL_FDS, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof si) == sizeof si) {
				int sig = (int)si.ssi_signo, st;
				if (sig == SIGCHLD) {
					if (waitpid(pid, &st, WNOHANG) == pid)
						status = exit_code(st);
				} else if (sig != SIGWINCH) {
					kill(pid, sig); /* SIGHUP from the engine: the pane's "end the shell" */
				}
			}
		}
		if (pfd[1].revents && m >= 0 && pump_out(m) == 0) {
			close(m);
			m = -1; /* the command's pty is closed: its exit comes next */
		}
		attach_step(&pfd[2]);
	}
	/* what the command wrote just before exiting */
	if (m >= 0) {
		while (pump_out(m) > 0)
			;
		close(m);
	}
	if (status < 0)
		status = 255;
	attach_stop_input();
	/* Gone before the exit frame: a client that saw the exit finds no socket. */
	attach_unlink();
	attach_close(status);
	return status;
}
