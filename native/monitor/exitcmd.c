/* See exitcmd.h. */
#include "exitcmd.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* The container's exit command (run.hutch.on-exit: argv, one per line), run once
 * the exit is recorded, in a session of its own with /dev/null for stdio: hutch's
 * restart policy (`hutch __on-exit`), as conmon runs podman's cleanup. Nobody waits
 * for it: we exit next, and it is reparented. It runs only while the file `cond`
 * (run.hutch.on-exit-if) exists: the engine keeps it iff the container has a restart
 * policy, and may add or remove it while the container runs (`update --restart`). */
void spawn_on_exit(char *cmd, const char *cond)
{
	if (cond && access(cond, F_OK) != 0)
		return;
	char *argv[16];
	int n = 0;
	for (char *p = cmd; p && n < 15;) {
		argv[n++] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = 0;
	}
	argv[n] = NULL;
	if (n == 0 || argv[0][0] != '/')
		return;
	pid_t pid = fork();
	if (pid != 0)
		return;
	setsid();
	stdio_to_null();
	close_range(3, ~0U, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], argv);
	_exit(127);
}

