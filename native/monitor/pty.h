/* The monitor's side of a terminal: its own stdin in raw mode while it proxies
 * keystrokes to the container's pty, window size forwarding, and restoring the
 * user's terminal at the end whatever happened. */
#ifndef HUTCH_PTY_H
#define HUTCH_PTY_H

#include <stdbool.h>

/* Allocates a pty in the devpts of the root rootfd names (/dev/pts/ptmx,
 * resolved inside it without symlinks and checked to be the ptmx device 5:2),
 * unlocks it and opens the peer with TIOCGPTPEER: never by a path that the
 * container could have swapped (CVE-2025-52565). Returns the master (CLOEXEC)
 * with *slave set (CLOEXEC, O_NOCTTY), or -1 (errno). */
int pty_alloc(int rootfd, int *slave);

/* If fd 0 is a tty, saves its settings and puts it in raw mode. */
void tty_raw_stdin(void);
/* Restores what tty_raw_stdin() changed (no-op otherwise). */
void tty_restore_stdin(void);
/* Copies the window size of fd 0 (if a tty) to the pty master. */
void tty_copy_winsize(int master);

/* Copies what is readable on in to out. Returns bytes copied, 0 at EOF (or EIO
 * on a pty master: the other side closed), -1 on EAGAIN/EINTR or a write
 * error (then *werr is set). */
long tty_pump(int in, int out, bool *werr);

#endif
