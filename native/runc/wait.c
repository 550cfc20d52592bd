/* Waiting for a process we started (run's init, exec's command) while its
 * signals are forwarded to it: every signal but SIGKILL and SIGSTOP is
 * blocked and read from a signalfd, so a signal sent to hutch-runc (a Ctrl-C,
 * the caller's SIGTERM) reaches the container's process instead of killing
 * us while it runs on. SIGCHLD and SIGWINCH are ours: a child's exit, and the
 * terminal's size (console.c copies it; without a console it is dropped). */
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../monitor/util.h"
#include "runc.h"

int signalfd_all(int flags)
{
	sigset_t mask;
	sigfillset(&mask);
	sigdelset(&mask, SIGKILL);
	sigdelset(&mask, SIGSTOP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	return signalfd(-1, &mask, SFD_CLOEXEC | flags);
}

void signal_forward(pid_t pid, int pidfd, int sig)
{
	if (pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
	else
		kill(pid, sig);
}

bool reap(pid_t pid, bool others, int *code)
{
	int st;
	pid_t w;
	bool done = false;
	while ((w = waitpid(others ? -1 : pid, &st, WNOHANG)) > 0)
		if (w == pid) {
			*code = exit_code(st);
			done = true;
		}
	return done;
}

int wait_forwarding(pid_t pid, int pidfd, bool others)
{
	int sfd = signalfd_all(0);
	for (;;) {
		int code;
		if (reap(pid, others, &code))
			return code;
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof si) != sizeof si)
			continue;
		if (si.ssi_signo != SIGCHLD && si.ssi_signo != SIGWINCH)
			signal_forward(pid, pidfd, (int)si.ssi_signo);
	}
}
