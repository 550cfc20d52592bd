/* See tinyinit.h. What tini does as docker's --init, in a few lines: every
 * signal is blocked and waited for with sigwaitinfo (a pid-namespace init
 * only receives the signals it handles or blocks: with SIG_DFL, a SIGTERM from
 * `stop` would be dropped), each one but SIGCHLD is passed to the command, and
 * every child that exits is reaped, orphans included (they are reparented to
 * pid 1). The command runs in a process group of its own that gets the
 * terminal, so a ^C from the pty reaches it once, not through us too. */
#include "tinyinit.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static void say(const char *what, const char *arg, int err)
{
	char buf[512];
	int n = snprintf(buf, sizeof buf, "hutch-init: %s%s%s: %s\n", what, arg ? " " : "", arg ? arg : "", strerror(err));
	if (n > 0)
		write_all(2, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

int main_init(int argc, char **argv)
{
	int i = 2;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc) {
		say("usage: init [--] COMMAND [ARG]...", NULL, EINVAL);
		return 125;
	}
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid_t child = fork();
	if (child < 0) {
		say("fork", NULL, errno);
		return 125;
	}
	if (child == 0) {
		/* Signals are still blocked here, so tcsetpgrp from what is now a
		 * background group does not stop us with SIGTTOU. */
		setpgid(0, 0);
		if (isatty(0))
			tcsetpgrp(0, getpid());
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(argv[i], argv + i);
		int e = errno;
		say("exec", argv[i], e);
		_exit(e == ENOENT ? 127 : 126);
	}
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue; /* EINTR: nothing else can fail with a valid set */
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		int st;
		pid_t p;
		/* One SIGCHLD may stand for several exits: reap until none is left. */
		while ((p = waitpid(-1, &st, WNOHANG)) > 0)
			if (p == child) /* the rest of the namespace dies with us */
				return exit_code(st);
	}
}
