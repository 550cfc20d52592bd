/* `exec --tty --detach --serve DIR`: the command's pty served on a unix socket
 * (a shell pane of the dashboard), with the attach socket's frames (attach.h).
 *
 * The socket is DIR/exec-<monitor pid>.sock, bound before the monitor enters
 * the container (its path is a host path) and removed when the command ends.
 * Clients send stdin and resize frames; output goes to every client and into a
 * 64 KiB backlog that each new client gets first, so a pane that reattaches
 * shows the screen it left. Nobody needs to be connected: the command runs on
 * with its output kept in the backlog alone. */
#ifndef HUTCH_SERVE_H
#define HUTCH_SERVE_H

#include <sys/types.h>

#define SERVE_BACKLOG (64 << 10)

/* Listens on DIR/exec-<getpid()>.sock. -1 (errno). */
int serve_listen(const char *dir);

/* Serves the pty master (*master, closed and set to -1 here) until the command
 * (pid) exits; signals on sigfd (a signalfd with SIGCHLD and the forwarded
 * ones) are handled as the exec loop does. Returns the exit status (the
 * clients got it in an exit frame and the socket file is gone). */
int serve_run(int *master, pid_t pid, int sigfd);

#endif
