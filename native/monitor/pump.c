/* See pump.h. */
#include "pump.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

void inpump_init(struct inpump *p, int in, int out)
{
	p->in = in;
	p->out = out;
	p->len = p->off = 0;
	if (out >= 0)
		fcntl(out, F_SETFL, fcntl(out, F_GETFL) | O_NONBLOCK);
}

void inpump_poll(const struct inpump *p, struct pollfd *rd, struct pollfd *wr)
{
	bool pending = p->off < p->len;
	rd->fd = (p->out >= 0 && !pending) ? p->in : -1;
	rd->events = POLLIN;
	rd->revents = 0;
	wr->fd = (p->out >= 0 && pending) ? p->out : -1;
	wr->events = POLLOUT;
	wr->revents = 0;
}

void inpump_close(struct inpump *p)
{
	if (p->out >= 0)
		close(p->out);
	p->out = -1;
	p->in = -1;
}

void inpump_step(struct inpump *p, short rd_revents, short wr_revents)
{
	if (p->out < 0)
		return;
	if (rd_revents && p->off >= p->len) {
		ssize_t n = read(p->in, p->buf, sizeof p->buf);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (n <= 0) { /* EOF, or stdin unreadable: the container sees EOF */
			inpump_close(p);
			return;
		}
		p->len = (size_t)n;
		p->off = 0;
		wr_revents = POLLOUT; /* try at once: the pipe is usually empty */
	}
	if (wr_revents && p->off < p->len) {
		ssize_t n = write(p->out, p->buf + p->off, p->len - p->off);
		if (n < 0) {
			if (errno != EINTR && errno != EAGAIN)
				inpump_close(p); /* EPIPE: the container closed its stdin */
			return;
		}
		p->off += (size_t)n;
	}
}
