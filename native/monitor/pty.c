/* See pty.h. */
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "inroot.h"
#include "util.h"

int pty_alloc(int rootfd, int *slave)
{
	struct stat st;
	int unlock = 0;
	int master = inroot_open(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, RESOLVE_NO_SYMLINKS);
	if (master < 0)
		return -1;
	if (fstat(master, &st) < 0)
		goto fail;
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2)) {
		errno = ENOTTY;
		goto fail;
	}
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		goto fail;
	*slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0)
		goto fail;
	return master;
fail:;
	int e = errno;
	close(master);
	errno = e;
	return -1;
}

static struct termios saved;
static bool raw;

void tty_raw_stdin(void)
{
	struct termios t;
	if (!isatty(0) || tcgetattr(0, &saved) < 0)
		return;
	t = saved;
	cfmakeraw(&t);
	if (tcsetattr(0, TCSANOW, &t) == 0)
		raw = true;
}

void tty_restore_stdin(void)
{
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	raw = false;
}

void tty_copy_winsize(int master)
{
	struct winsize ws;
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

long tty_pump(int in, int out, bool *werr)
{
	char buf[4096];
	ssize_t n = read(in, buf, sizeof buf);
	if (n < 0)
		return (errno == EIO) ? 0 : -1;
	if (n == 0)
		return 0;
	if (write_all(out, buf, (size_t)n) < 0) {
		*werr = true;
		return -1;
	}
	return n;
}
