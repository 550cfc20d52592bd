/* The attach socket: `hutch attach` clients of a running container.
 *
 * Every `run` monitor listens on a unix stream socket `attach` in the bundle
 * directory (mode 0600; bound through /proc/self/fd/<dirfd>/attach, since a
 * bundle path can be longer than sun_path). Frames both ways are
 * [type u8][len u16 BE][data] (PROTOCOL.md): the container's output goes to
 * every client as it is logged, its exit status at the end; clients send stdin,
 * window sizes and stdin's EOF.
 *
 * Nothing here ever blocks the monitor: a client whose socket would block is
 * dropped, and input waits in one small buffer (clients are not read while it
 * is full). The same buffer carries an attached monitor's own stdin to the pty
 * (`run -it`), scanned for the detach keys.
 *
 * Memory: a few words per client and one 4 KiB input buffer, touched only once
 * input arrives. */
#ifndef HUTCH_ATTACH_H
#define HUTCH_ATTACH_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define ATTACH_CLIENTS 8
/* listener, clients, the input fd's POLLOUT */
#define ATTACH_POLL_FDS (1 + ATTACH_CLIENTS + 1)
#define ATTACH_KEYS_MAX 16

/* Frame types (PROTOCOL.md, "Attach socket"). */
enum {
	ATTACH_STDIN = 0,
	ATTACH_STDOUT = 1,
	ATTACH_STDERR = 2,
	ATTACH_EXIT = 3,
	ATTACH_RESIZE = 4,
	ATTACH_STDIN_EOF = 5,
};

/* What attach_read_local() saw on the monitor's own stdin. */
enum {
	ATTACH_EV_DETACH = 1, /* the detach keys were typed */
	ATTACH_EV_HUP = 2,    /* it hung up (or cannot be read) */
};

/* Parses --detach-keys: hex, 1 to ATTACH_KEYS_MAX bytes. 0 or -1. */
int attach_parse_keys(const char *hex, unsigned char *keys, size_t *n);

/* Binds and listens on <bundle>/attach (a stale socket file is replaced: the
 * caller holds the exit lock, so no other monitor serves this bundle). -1
 * (errno) if it cannot: the container runs without attach. */
int attach_listen(const char *bundle);

/* The same for a socket `name` in directory `dir` (an exec's --serve socket;
 * `name` must outlive the socket). */
int attach_listen_at(const char *dir, const char *name);

/* Keeps the last `cap` bytes of stdout output and sends them to each new client
 * before anything else (a shell pane reattaching sees its screen). -1 (ENOMEM). */
int attach_backlog(size_t cap);

/* The container's side: fd (owned from now on, made non-blocking) is the pty
 * master (tty: resize frames apply to it) or the write end of the container's
 * stdin pipe; input says whether clients' stdin is written to it. */
void attach_io(int fd, bool tty, bool input);

/* The attached monitor's own stdin (run -it) feeds the same input, scanned for
 * keys (hex as --detach-keys; NULL: none). */
void attach_local(int fd, const char *hexkeys);

/* Fills ATTACH_POLL_FDS entries (fd -1 where there is nothing to wait for). */
void attach_poll(struct pollfd *pfd);

/* Does what the poll results allow. */
void attach_step(const struct pollfd *pfd);

/* The local stdin to poll for POLLIN: -1 when there is none, or no room for
 * what it would bring. */
int attach_local_fd(void);
/* Reads it (it polled readable); returns ATTACH_EV_* bits. */
int attach_read_local(void);

/* Output for every client (a logstream's tee). */
void attach_broadcast(int type, const char *p, size_t n);

/* The container exited: input stops (the fd is closed). */
void attach_stop_input(void);

/* Removes the socket file now (no new client can come; those connected stay). */
void attach_unlink(void);

/* The exit status to every client, then the clients and the listener closed and
 * the socket file removed. */
void attach_close(int status);

#endif
