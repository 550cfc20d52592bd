/* Copying the user's stdin into the container's stdin pipe.
 *
 * The container never gets an fd opened outside it (CVE-2024-21626 class: a
 * host file or directory given as stdin could be written through
 * /proc/self/fd/0, or walked with `cd /proc/self/fd/0/..`): its fd 0 is the
 * read end of a pipe the monitor made, and the monitor copies into it. The
 * write end is non-blocking and what the container has not read yet waits in
 * a buffer, so a container that never reads stdin cannot stall the loop that
 * also copies its output; stdin is read again only once that buffer is empty. */
#ifndef HUTCH_PUMP_H
#define HUTCH_PUMP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define PUMP_BUF 16384

struct inpump {
	int in;  /* the user's stdin; -1 once at EOF (never closed: not ours) */
	int out; /* write end of the container's stdin pipe; -1 once closed */
	size_t len, off;
	char buf[PUMP_BUF];
};

/* out becomes non-blocking. */
void inpump_init(struct inpump *p, int in, int out);

/* Sets the two pollfds (fd -1 when there is nothing to wait for). */
void inpump_poll(const struct inpump *p, struct pollfd *rd, struct pollfd *wr);

/* Does what the poll results allow. At EOF on in (or a read error) the pipe is
 * closed once the buffer is written, so the container reads EOF; when the
 * container closed its end (EPIPE), in is no longer read. */
void inpump_step(struct inpump *p, short rd_revents, short wr_revents);

/* Closes the pipe now (the container exited). */
void inpump_close(struct inpump *p);

#endif
