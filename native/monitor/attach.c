/* See attach.h. */
#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define INBUF 4096
#define ATTACH_SNDBUF (2 << 20)

/* One client's position in the frame stream it sends. */
struct client {
	int fd; /* -1: free slot */
	uint8_t hlen;     /* header bytes read of the current frame (3: in its data) */
	uint8_t hdr[3];
	uint16_t left;    /* data bytes of the current frame still to come */
	uint8_t arg[4];   /* a resize frame's data */
	uint8_t alen;
};

/* All of the small state in one initialized object: its writes dirty one
 * page of .data (with the monitor's other initialized globals), not stray
 * pages of .bss. */
static struct {
	struct client clients[ATTACH_CLIENTS];
	int nclients, lfd, bundle_fd;
	/* The container's side (attach_io). */
	int io_fd;
	bool io_tty, io_input, io_eof;
	/* The attached monitor's own stdin and the detach keys matched so far. */
	int local_fd;
	unsigned char keys[ATTACH_KEYS_MAX];
	size_t nkeys, keypos;
	/* What inbuf holds. */
	size_t in_len, in_off;
	/* The socket's file name in the bundle fd's directory. */
	const char *name;
	/* The last output, sent to each new client first (attach_backlog; a shell
	 * pane's history): a ring of bl_cap bytes, bl_len of them used. */
	char *bl;
	size_t bl_cap, bl_len, bl_head;
} st = {
	.clients = { { .fd = -1 }, { .fd = -1 }, { .fd = -1 }, { .fd = -1 },
		     { .fd = -1 }, { .fd = -1 }, { .fd = -1 }, { .fd = -1 } },
	.lfd = -1, .bundle_fd = -1, .io_fd = -1, .local_fd = -1, .name = "attach",
};

/* Input on its way to io_fd: untouched (so not resident) until some comes,
 * and given back when the last client leaves (a page of its own). */
static char inbuf[INBUF] __attribute__((aligned(4096)));

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int attach_parse_keys(const char *hex, unsigned char *out, size_t *n)
{
	size_t len = strlen(hex);
	if (len == 0 || len % 2 || len / 2 > ATTACH_KEYS_MAX)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	*n = len / 2;
	return 0;
}

/* "/proc/self/fd/<bundle fd>/<name>": the bundle's own path may not fit sun_path. */
static void sock_addr(struct sockaddr_un *a)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof a->sun_path, "/proc/self/fd/%d/%s", st.bundle_fd, st.name);
}

int attach_listen(const char *bundle)
{
	return attach_listen_at(bundle, "attach");
}

int attach_listen_at(const char *dir, const char *name)
{
	struct sockaddr_un a;
	st.name = name;
	st.bundle_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (st.bundle_fd < 0)
		return -1;
	/* Left by a monitor that was killed: nobody serves it (we hold the lock). */
	unlinkat(st.bundle_fd, st.name, 0);
	st.lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (st.lfd < 0)
		goto fail;
	sock_addr(&a);
	/* The file's mode comes from the umask at bind: never a moment with more than 0600. */
	mode_t old = umask(0177);
	int r = bind(st.lfd, (struct sockaddr *)&a, sizeof a);
	umask(old);
	if (r < 0 || listen(st.lfd, ATTACH_CLIENTS) < 0)
		goto fail;
	return 0;
fail:;
	int e = errno;
	if (st.lfd >= 0)
		close(st.lfd);
	close(st.bundle_fd);
	st.lfd = st.bundle_fd = -1;
	errno = e;
	return -1;
}

void attach_io(int fd, bool tty, bool input)
{
	st.io_fd = fd;
	st.io_tty = tty;
	st.io_input = input;
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

void attach_local(int fd, const char *hexkeys)
{
	st.local_fd = fd;
	st.nkeys = 0;
	if (hexkeys && attach_parse_keys(hexkeys, st.keys, &st.nkeys) < 0)
		st.nkeys = 0;
}

static void drop(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	if (--st.nclients == 0 && st.in_len == 0)
		madvise(inbuf, sizeof inbuf, MADV_DONTNEED);
}

static void close_io(void)
{
	if (st.io_fd >= 0)
		close(st.io_fd);
	st.io_fd = -1;
	st.in_len = st.in_off = 0;
	st.local_fd = -1;
}

/* Writes what the input buffer holds, as far as the fd takes it now. */
static void flush(void)
{
	while (st.io_fd >= 0 && st.in_off < st.in_len) {
		ssize_t n = write(st.io_fd, inbuf + st.in_off, st.in_len - st.in_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) { /* EPIPE: the container closed its stdin; EIO: its pty */
			close_io();
			return;
		}
		st.in_off += (size_t)n;
	}
	st.in_len = st.in_off = 0;
	/* An EOF frame came: the stdin pipe closes once what came before it is in. */
	if (st.io_eof && st.io_fd >= 0 && !st.io_tty)
		close_io();
}

static void queue(const void *p, size_t n)
{
	if (st.io_fd < 0 || !st.io_input || st.io_eof)
		return;
	/* The callers read at most the free space: this always fits. */
	if (n > sizeof inbuf - st.in_len)
		n = sizeof inbuf - st.in_len;
	memcpy(inbuf + st.in_len, p, n);
	st.in_len += n;
}

static void frame_done(struct client *c)
{
	if (c->hdr[0] == ATTACH_RESIZE && c->alen == 4 && st.io_fd >= 0 && st.io_tty) {
		struct winsize ws = { .ws_row = (unsigned short)(c->arg[0] << 8 | c->arg[1]),
				      .ws_col = (unsigned short)(c->arg[2] << 8 | c->arg[3]) };
		ioctl(st.io_fd, TIOCSWINSZ, &ws); /* the kernel sends SIGWINCH to the container */
	} else if (c->hdr[0] == ATTACH_STDIN_EOF && !st.io_tty && st.io_input) {
		st.io_eof = true;
	}
	c->hlen = 0;
}

/* A client's bytes, cut anywhere: headers, stdin data (queued), resize data. */
static void feed(struct client *c, const uint8_t *p, size_t n)
{
	while (n > 0) {
		if (c->hlen < 3) {
			c->hdr[c->hlen++] = *p++;
			n--;
			if (c->hlen == 3) {
				c->left = (uint16_t)(c->hdr[1] << 8 | c->hdr[2]);
				c->alen = 0;
				if (c->left == 0)
					frame_done(c);
			}
			continue;
		}
		size_t take = n < c->left ? n : c->left;
		if (c->hdr[0] == ATTACH_STDIN)
			queue(p, take);
		else if (c->hdr[0] == ATTACH_RESIZE)
			for (size_t i = 0; i < take && c->alen < 4; i++)
				c->arg[c->alen++] = p[i];
		/* any other type: its data is skipped */
		p += take;
		n -= take;
		c->left = (uint16_t)(c->left - take);
		if (c->left == 0)
			frame_done(c);
	}
}

static void read_client(struct client *c)
{
	uint8_t buf[1024];
	size_t room = sizeof inbuf - st.in_len;
	if (room == 0) /* another client filled it in this round */
		return;
	ssize_t n = read(c->fd, buf, room < sizeof buf ? room : sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop(c);
		return;
	}
	feed(c, buf, (size_t)n);
}

static int send_frame(struct client *c, int type, const char *p, size_t n);

/* What came before this client: the backlog's two pieces, oldest first. */
static void send_backlog(struct client *c)
{
	if (st.bl_len == 0)
		return;
	size_t start = (st.bl_head + st.bl_cap - st.bl_len) % st.bl_cap;
	size_t first = st.bl_len < st.bl_cap - start ? st.bl_len : st.bl_cap - start;
	if (send_frame(c, ATTACH_STDOUT, st.bl + start, first) == 0 && first < st.bl_len)
		send_frame(c, ATTACH_STDOUT, st.bl, st.bl_len - first);
}

int attach_backlog(size_t cap)
{
	st.bl = malloc(cap);
	if (!st.bl)
		return -1;
	st.bl_cap = cap;
	return 0;
}

static void keep(const char *p, size_t n)
{
	if (n >= st.bl_cap) {
		memcpy(st.bl, p + n - st.bl_cap, st.bl_cap);
		st.bl_head = 0;
		st.bl_len = st.bl_cap;
		return;
	}
	size_t first = n < st.bl_cap - st.bl_head ? n : st.bl_cap - st.bl_head;
	memcpy(st.bl + st.bl_head, p, first);
	memcpy(st.bl, p + first, n - first);
	st.bl_head = (st.bl_head + n) % st.bl_cap;
	st.bl_len = st.bl_len + n > st.bl_cap ? st.bl_cap : st.bl_len + n;
}

static void accept_clients(void)
{
	int fd;
	while ((fd = accept4(st.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct client *c = NULL;
		for (int i = 0; i < ATTACH_CLIENTS && !c; i++)
			if (st.clients[i].fd < 0)
				c = &st.clients[i];
		if (!c) { /* full: the client reads EOF at once */
			close(fd);
			continue;
		}
		/* A client is dropped once this much output waits for it: room for
		 * bursts (kernel memory, used only while it lags), never unbounded. */
		int sz = ATTACH_SNDBUF;
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof sz) < 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
		*c = (struct client){ .fd = fd };
		st.nclients++;
		send_backlog(c);
	}
}

static int read_local(void);

int attach_local_fd(void)
{
	return st.in_len + st.nkeys < sizeof inbuf ? st.local_fd : -1;
}

/* The monitor's own stdin: what is typed goes to the pty, but for the detach
 * st.keys, held back while they match and let through when they stop matching. */
int attach_read_local(void)
{
	int ev = read_local();
	flush();
	return ev;
}

static int read_local(void)
{
	uint8_t buf[1024];
	if (st.in_len + st.nkeys >= sizeof inbuf)
		return 0;
	size_t room = sizeof inbuf - st.in_len - st.nkeys;
	ssize_t n = read(st.local_fd, buf, room < sizeof buf ? room : sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) { /* a raw terminal has no EOF key: it hung up (EIO, or 0) */
		st.local_fd = -1;
		return ATTACH_EV_HUP;
	}
	for (ssize_t i = 0; i < n; i++) {
		uint8_t b = buf[i];
		if (st.nkeys && b == st.keys[st.keypos]) {
			if (++st.keypos == st.nkeys) {
				st.keypos = 0;
				st.local_fd = -1; /* what follows the st.keys is not the container's */
				return ATTACH_EV_DETACH;
			}
			continue;
		}
		if (st.keypos) {
			queue(st.keys, st.keypos);
			st.keypos = 0;
			if (b == st.keys[0]) {
				st.keypos = 1;
				continue;
			}
		}
		queue(&b, 1);
	}
	return 0;
}

void attach_poll(struct pollfd *pfd)
{
	bool room = st.in_len < sizeof inbuf;
	pfd[0] = (struct pollfd){ st.lfd, POLLIN, 0 };
	for (int i = 0; i < ATTACH_CLIENTS; i++)
		/* A full buffer: not read (POLLHUP still says when one leaves). */
		pfd[1 + i] = (struct pollfd){ st.clients[i].fd, room ? POLLIN : 0, 0 };
	pfd[1 + ATTACH_CLIENTS] = (struct pollfd){ st.in_off < st.in_len ? st.io_fd : -1, POLLOUT, 0 };
}

void attach_step(const struct pollfd *pfd)
{
	if (pfd[1 + ATTACH_CLIENTS].revents)
		flush();
	if (pfd[0].revents & POLLIN)
		accept_clients();
	for (int i = 0; i < ATTACH_CLIENTS; i++) {
		struct client *c = &st.clients[i];
		short r = pfd[1 + i].revents;
		if (c->fd < 0 || c->fd != pfd[1 + i].fd || !r)
			continue;
		if (r & POLLIN)
			read_client(c);
		else if (r & (POLLHUP | POLLERR | POLLNVAL))
			drop(c);
	}
	flush();
}

/* Frames of `type` carrying p..p+n to one client: 0, or -1 when it was dropped. */
static int send_frame(struct client *c, int type, const char *p, size_t n)
{
	while (c->fd >= 0 && n > 0) {
		size_t k = n > 65535 ? 65535 : n;
		uint8_t hdr[3] = { (uint8_t)type, (uint8_t)(k >> 8), (uint8_t)k };
		struct iovec iov[2] = { { hdr, 3 }, { (void *)p, k } };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
		ssize_t w = sendmsg(c->fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
		/* A client that cannot take it now is dropped: it would stall the
		 * monitor, and a frame cut short cannot be resumed. */
		if (w != (ssize_t)(3 + k)) {
			drop(c);
			return -1;
		}
		p += k;
		n -= k;
	}
	return 0;
}

void attach_broadcast(int type, const char *p, size_t n)
{
	if (st.bl_cap && type == ATTACH_STDOUT)
		keep(p, n);
	if (st.nclients == 0)
		return;
	for (int i = 0; i < ATTACH_CLIENTS; i++)
		send_frame(&st.clients[i], type, p, n);
}

void attach_stop_input(void)
{
	close_io();
}

void attach_unlink(void)
{
	if (st.lfd >= 0)
		unlinkat(st.bundle_fd, st.name, 0);
}

void attach_close(int status)
{
	char s[16];
	int n = snprintf(s, sizeof s, "%d", status);
	attach_broadcast(ATTACH_EXIT, s, (size_t)n);
	for (int i = 0; i < ATTACH_CLIENTS; i++)
		if (st.clients[i].fd >= 0)
			drop(&st.clients[i]);
	if (st.lfd >= 0) {
		close(st.lfd);
		unlinkat(st.bundle_fd, st.name, 0);
		close(st.bundle_fd);
	}
	st.lfd = st.bundle_fd = -1;
}
