/* run with a terminal and no --console-socket: hutch-runc itself is the
 * terminal's other end, as runc is. Our stdin (raw, if it is a terminal)
 * goes to the pty master, the master to our stdout; window size changes
 * follow SIGWINCH; other signals go to the init; the init's status is ours. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../monitor/pty.h"
#include "runc.h"

int console_run(pid_t pid, int pidfd, int master)
{
	int sfd = signalfd_all(SFD_NONBLOCK);
	tty_raw_stdin();
	tty_copy_winsize(master);
	int in = 0, status = -1;
	bool werr = false;
	while (status < 0) {
		struct pollfd p[3] = { { sfd, POLLIN, 0 }, { master, POLLIN, 0 }, { in, POLLIN, 0 } };
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo == SIGCHLD)
					reap(pid, true, &status);
				else if (si.ssi_signo == SIGWINCH)
					tty_copy_winsize(master);
				else
					signal_forward(pid, pidfd, (int)si.ssi_signo);
			}
		}
		if (p[1].revents && tty_pump(master, 1, &werr) == 0)
			master = -1; /* every slave closed: the init's exit is next */
		if (p[2].revents && tty_pump(0, master, &werr) <= 0 && errno != EAGAIN && errno != EINTR)
			in = -1;
	}
	if (master >= 0) {
		/* what the container wrote just before it exited */
		fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
		while (tty_pump(master, 1, &werr) > 0)
			;
	}
	tty_restore_stdin();
	return status < 0 ? 255 : status;
}
