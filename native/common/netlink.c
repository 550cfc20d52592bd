/* See netlink.h. */
#include "netlink.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

int nl_open(int proto)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -1;
	int one = 1;
	/* Best effort: without it an ack carries a copy of the request, which
	 * only costs receive-buffer space. */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Numbers are per process: replies of one exchange are told from stale ones. */
static _Thread_local uint32_t next_seq = 1;

void nl_init(struct nlreq *r, void *buf, size_t cap)
{
	*r = (struct nlreq){ .buf = buf, .cap = cap, .seq0 = next_seq };
}

static void *room(struct nlreq *r, size_t len)
{
	size_t at = NLMSG_ALIGN(r->len);
	if (r->overflow || at + NLMSG_ALIGN(len) > r->cap) {
		r->overflow = true;
		return NULL;
	}
	memset(r->buf + at, 0, NLMSG_ALIGN(len));
	r->len = at + NLMSG_ALIGN(len);
	if (r->cur)
		r->cur->nlmsg_len = (uint32_t)(r->buf + r->len - (char *)r->cur);
	return r->buf + at;
}

struct nlmsghdr *nl_msg(struct nlreq *r, uint16_t type, uint16_t flags, const void *hdr, size_t hdrlen)
{
	r->cur = NULL;
	struct nlmsghdr *h = room(r, NLMSG_HDRLEN + hdrlen);
	if (!h)
		return NULL;
	h->nlmsg_len = (uint32_t)NLMSG_LENGTH(NLMSG_ALIGN(hdrlen));
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	h->nlmsg_seq = r->seq0 + r->nmsg++;
	next_seq = h->nlmsg_seq + 1;
	if (hdrlen)
		memcpy(NLMSG_DATA(h), hdr, hdrlen);
	r->cur = h;
	return h;
}

void nl_put(struct nlreq *r, const void *data, size_t len)
{
	void *p = room(r, len);
	if (p)
		memcpy(p, data, len);
}

void nl_attr(struct nlreq *r, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = room(r, NLA_HDRLEN + len);
	if (!a)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
}

void nl_attr_str(struct nlreq *r, uint16_t type, const char *s)
{
	nl_attr(r, type, s, strlen(s) + 1);
}

void nl_attr_u32(struct nlreq *r, uint16_t type, uint32_t v)
{
	nl_attr(r, type, &v, sizeof v);
}

void nl_attr_u8(struct nlreq *r, uint16_t type, uint8_t v)
{
	nl_attr(r, type, &v, sizeof v);
}

struct nlattr *nl_nest(struct nlreq *r, uint16_t type)
{
	struct nlattr *a = room(r, NLA_HDRLEN);
	if (a)
		a->nla_type = type | NLA_F_NESTED;
	return a;
}

void nl_nest_end(struct nlreq *r, struct nlattr *a)
{
	if (a && !r->overflow)
		a->nla_len = (uint16_t)(r->buf + r->len - (char *)a);
}

void nl_parse(const struct nlattr *a, int len, const struct nlattr **tb, int max)
{
	memset(tb, 0, sizeof *tb * (size_t)(max + 1));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		int t = a->nla_type & NLA_TYPE_MASK;
		if (t <= max)
			tb[t] = a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

static int send_all(int fd, const struct nlreq *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t n;
	do
		n = sendto(fd, r->buf, r->len, 0, (struct sockaddr *)&sa, sizeof sa);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != r->len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int nl_talk(int fd, struct nlreq *r, int *errs, nl_cb cb, void *arg)
{
	if (r->overflow) {
		errno = EMSGSIZE;
		return -1;
	}
	/* What we wait for: an ack per message that asked for one, the end of a dump. */
	uint32_t acks = 0;
	bool dump = false;
	for (size_t at = 0; at < r->len;) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)(r->buf + at);
		if (h->nlmsg_flags & NLM_F_ACK)
			acks++;
		if ((h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
			dump = true;
		at += NLMSG_ALIGN(h->nlmsg_len);
	}
	if (errs)
		memset(errs, 0, sizeof *errs * r->nmsg);
	if (send_all(fd, r) < 0)
		return -1;
	int first = 0;
	/* 32 KiB, the most a dump part grows to; on the stack, as the addon may
	 * run this on several threads. */
	char rbuf[32768] __attribute__((aligned(4)));
	for (;;) {
		/* The kernel handles a request inside sendmsg(): every reply but a
		 * dump's next parts is queued by now. So we read until there is
		 * nothing left, without waiting: the error of a message that asked
		 * for no ack (a batch marker) is seen too, and cannot hang us. */
		ssize_t n;
		do
			n = recv(fd, rbuf, sizeof rbuf, dump ? 0 : MSG_DONTWAIT);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno == EAGAIN) {
			if (!first && acks > 0)
				first = EPROTO;
			break;
		}
		if (n < 0)
			return -1;
		for (struct nlmsghdr *h = (struct nlmsghdr *)rbuf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			uint32_t i = h->nlmsg_seq - r->seq0;
			if (i >= r->nmsg)
				continue; /* not ours (a stale reply) */
			if (h->nlmsg_type == NLMSG_DONE) {
				dump = false;
				continue;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				int err = -e->error;
				if (errs)
					errs[i] = err;
				if (err && !first)
					first = err;
				if (acks)
					acks--;
				/* A refused dump ends with its error, not NLMSG_DONE. */
				if (err && dump)
					dump = false;
				continue;
			}
			if (cb && cb(h, arg) < 0 && !first)
				first = errno ? errno : EPROTO;
		}
	}
	if (first) {
		errno = first;
		return -1;
	}
	return 0;
}
