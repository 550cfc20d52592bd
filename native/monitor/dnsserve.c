/* See dns.h: serving. Queries arrive on the UDP socket or on TCP connections
 * (2-byte length prefix, several queries per connection: glibc sends its A
 * and AAAA queries on one); a name of a names directory is answered here,
 * anything else goes to the upstreams through one connected UDP socket per
 * forwarded query, created in the monitor's (the host's) namespace.
 *
 * Memory is fixed: the tables below live in .bss (W), a slot is always the
 * lowest free one, and W's pages are given back whenever nothing is in
 * flight: a container that does not resolve costs no page of it. */
#include "dns.h"
#include "dnsint.h"
#include "dnsmsg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

#define UP_TIMEOUT_MS 2000 /* per upstream, as glibc's default timeout:2 would wait */
#define TCP_IDLE_MS 10000  /* longer than DNS_MAX_UP upstream timeouts */
#define TCP_BUF 1024       /* two queries of DNS_QMAX with their prefixes */

/* A forwarded query. Its bytes are in qbuf[slot], apart, so that scanning
 * the table touches only this small array. */
struct pend {
	bool used;
	int fd;            /* connected to up[up] */
	int up;
	int tcp;           /* the TCP client's slot, or -1 for UDP */
	unsigned tcp_gen;  /* that slot's generation: a closed client gets nothing */
	uint16_t cid, qid; /* the client's ID, ours */
	uint16_t qlen, qend; /* qend: the question's end, for a reply of our own */
	int64_t deadline;
	struct sockaddr_in from;
};

struct tcpc {
	bool used;
	int fd;
	unsigned gen;
	size_t have;
	int64_t deadline;
};

/* What dns_poll put at each index past the two listening sockets. */
enum { M_TCP, M_UP };
struct pslot {
	uint8_t kind;
	uint8_t slot;
};

/* Everything serving writes, page-aligned and apart from the rest of the
 * monitor's data: when no query is in flight and no client is connected,
 * all of it is zero or stale (zero is "unused" everywhere), so the pages
 * are given back (MADV_DONTNEED) and a container that resolved a name once
 * does not keep them for the rest of its life. */
static struct __attribute__((aligned(4096))) {
	struct pend pend[DNS_PENDING];
	struct tcpc tcpc[DNS_TCP];
	struct pslot pmap[DNS_POLL_MAX];
	uint8_t qbuf[DNS_PENDING][DNS_QMAX];
	uint8_t tcpbuf[DNS_TCP][TCP_BUF];
	/* One message at a time: a client's query or an upstream's answer.
	 * 4 KiB is the usual EDNS size; a larger answer is relayed as truncated. */
	uint8_t io[4096];
	uint8_t out[DNS_QMAX + DNS_ANS_A];
} W;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void tcp_close(int i)
{
	close(W.tcpc[i].fd);
	W.tcpc[i].used = false;
	W.tcpc[i].gen++;
	dns.ntcp--;
}

/* Errors and short writes close the connection: an answer is a few hundred
 * bytes, far below any socket buffer, so a client that cannot take it is
 * gone or misbehaving. */
static void tcp_send(int i, const uint8_t *m, size_t n)
{
	uint8_t len[2];
	dns_put16(len, (uint16_t)n);
	struct iovec iov[2] = { { len, 2 }, { (void *)m, n } };
	ssize_t w = writev(W.tcpc[i].fd, iov, 2);
	if (w != (ssize_t)(n + 2))
		tcp_close(i);
	else
		W.tcpc[i].deadline = now_ms() + TCP_IDLE_MS;
}

static void to_client(int tcp, unsigned gen, const struct sockaddr_in *from, const uint8_t *m, size_t n)
{
	if (tcp < 0)
		sendto(dns.udp, m, n, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)from, sizeof *from);
	else if (W.tcpc[tcp].used && W.tcpc[tcp].gen == gen)
		tcp_send(tcp, m, n);
}

static void reply(const uint8_t *p, const struct dnsq *q, int rcode, bool aa, const uint32_t *addr, int tcp,
		  const struct sockaddr_in *from)
{
	size_t n = dnsmsg_reply(p, q, rcode, aa, addr, dns.ttl, W.out, sizeof W.out);
	if (n)
		to_client(tcp, tcp >= 0 ? W.tcpc[tcp].gen : 0, from, W.out, n);
}

/* The name's address from the first names directory that has it: the
 * link's target text. One readlinkat() of one entry (dnsmsg.h: the name is
 * a single component), so a name can never reach outside the directory. */
static bool lookup(const char *name, uint32_t *addr)
{
	char t[INET_ADDRSTRLEN];
	for (int i = 0; i < dns.ndirs; i++) {
		ssize_t n = readlinkat(dns.dirs[i], name, t, sizeof t - 1);
		if (n <= 0)
			continue;
		t[n] = 0;
		if (inet_pton(AF_INET, t, addr) == 1)
			return true;
	}
	return false;
}

static void pend_free(struct pend *e)
{
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	e->used = false;
	dns.npend--;
}

/* Header and question of the client's query, with rcode. */
static size_t own_reply(const struct pend *e, int rcode)
{
	struct dnsq q = { .qend = e->qend };
	uint8_t *p = W.qbuf[e - W.pend];
	dns_put16(p, e->cid);
	return dnsmsg_reply(p, &q, rcode, false, NULL, 0, W.out, sizeof W.out);
}

static void servfail(struct pend *e)
{
	size_t n = own_reply(e, DNS_SERVFAIL);
	if (n)
		to_client(e->tcp, e->tcp_gen, &e->from, W.out, n);
	pend_free(e);
}

/* Sends the query to upstream e->up, or the next one that takes it.
 * ECONNREFUSED (nobody on that port, reported on the connected socket)
 * moves on at once; silence after UP_TIMEOUT_MS does too (dns_step). */
static void up_send(struct pend *e)
{
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	for (; e->up < dns.nup; e->up++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			break;
		if (connect(fd, (const struct sockaddr *)&dns.up[e->up], sizeof dns.up[0]) == 0 &&
		    send(fd, W.qbuf[e - W.pend], e->qlen, MSG_NOSIGNAL) == e->qlen) {
			e->fd = fd;
			e->deadline = now_ms() + UP_TIMEOUT_MS;
			return;
		}
		close(fd);
	}
	servfail(e);
}

static void forward(const uint8_t *p, size_t n, const struct dnsq *q, int tcp, const struct sockaddr_in *from)
{
	struct pend *e = NULL;
	for (int i = 0; i < DNS_PENDING && !e; i++)
		if (!W.pend[i].used)
			e = &W.pend[i];
	if (!e || !dns.nup) {
		reply(p, q, DNS_SERVFAIL, false, NULL, tcp, from);
		return;
	}
	/* A fresh ID per forwarded query (on top of a connected socket on a
	 * random port): an answer must match both to be relayed. */
	uint16_t id;
	if (getrandom(&id, sizeof id, GRND_NONBLOCK) != sizeof id)
		id = (uint16_t)(now_ms() ^ (uintptr_t)e);
	memset(e, 0, sizeof *e);
	e->used = true;
	e->fd = -1;
	dns.npend++;
	e->tcp = tcp;
	e->tcp_gen = tcp >= 0 ? W.tcpc[tcp].gen : 0;
	if (from)
		e->from = *from;
	e->cid = dns_get16(p);
	e->qid = id;
	e->qlen = (uint16_t)n;
	e->qend = (uint16_t)q->qend;
	memcpy(W.qbuf[e - W.pend], p, n);
	dns_put16(W.qbuf[e - W.pend], id);
	up_send(e);
}

/* One query from the container: answered here, refused, or forwarded. */
static void query(const uint8_t *p, size_t n, int tcp, const struct sockaddr_in *from)
{
	struct dnsq q;
	int rc = dnsmsg_parse(p, n, &q);
	if (rc < 0)
		return;
	if (rc > 0) {
		reply(p, &q, rc, false, NULL, tcp, from);
		return;
	}
	uint32_t addr;
	if (q.local && (q.qclass == DNS_C_IN || q.qclass == DNS_C_ANY) && lookup(q.name, &addr)) {
		/* A known name has only an A record: NOERROR without answers for
		 * AAAA and the rest, so resolvers settle for the A at once. */
		bool a = q.qtype == DNS_T_A || q.qtype == DNS_T_ANY;
		reply(p, &q, DNS_NOERROR, true, a ? &addr : NULL, tcp, from);
		return;
	}
	forward(p, n, &q, tcp, from);
}

static void on_udp(void)
{
	/* A bounded batch per wakeup: the container's log must not starve. */
	for (int k = 0; k < 32; k++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(dns.udp, W.io, sizeof W.io, MSG_TRUNC | MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		if (fl != sizeof from || from.sin_family != AF_INET)
			continue;
		/* Longer than io: parse sees the true length and says FORMERR
		 * from the header alone. */
		query(W.io, (size_t)n > sizeof W.io ? DNS_QMAX + 1 : (size_t)n, -1, &from);
	}
}

static void on_listen(void)
{
	int c = accept4(dns.tcp, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c < 0)
		return;
	for (int i = 0; i < DNS_TCP; i++)
		if (!W.tcpc[i].used) {
			W.tcpc[i] = (struct tcpc){ .used = true, .fd = c, .gen = W.tcpc[i].gen, .deadline = now_ms() + TCP_IDLE_MS };
			dns.ntcp++;
			return;
		}
	close(c); /* full: the client retries, rather than waiting in the backlog */
}

static void on_tcp(int i)
{
	struct tcpc *c = &W.tcpc[i];
	uint8_t *b = W.tcpbuf[i];
	ssize_t r = read(c->fd, b + c->have, TCP_BUF - c->have);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		tcp_close(i);
		return;
	}
	c->have += (size_t)r;
	c->deadline = now_ms() + TCP_IDLE_MS;
	while (c->used && c->have >= 2) {
		size_t len = dns_get16(b);
		if (len > DNS_QMAX || len < DNS_HDR) {
			/* Not a query we would take, and no way to skip it safely. */
			tcp_close(i);
			return;
		}
		if (c->have < 2 + len)
			break;
		unsigned gen = c->gen;
		query(b + 2, len, i, NULL);
		if (!c->used || c->gen != gen)
			return;
		c->have -= 2 + len;
		memmove(b, b + 2 + len, c->have);
	}
}

static void on_upstream(struct pend *e)
{
	ssize_t n = recv(e->fd, W.io, sizeof W.io, MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			e->up++;
			up_send(e);
		}
		return;
	}
	/* Not the answer to our query: keep waiting for it. */
	if (n < DNS_HDR || dns_get16(W.io) != e->qid || !(W.io[2] & 0x80))
		return;
	if ((size_t)n > sizeof W.io) {
		/* Too large for us: header and question, TC set; a TCP client
		 * gets the same (forwarding is over UDP only). */
		size_t m = own_reply(e, W.io[3] & 0xf);
		if (m) {
			W.out[2] |= 0x02;
			to_client(e->tcp, e->tcp_gen, &e->from, W.out, m);
		}
	} else {
		dns_put16(W.io, e->cid);
		to_client(e->tcp, e->tcp_gen, &e->from, W.io, (size_t)n);
	}
	pend_free(e);
}

int dns_poll(struct pollfd *pfd)
{
	int n = 0;
	if (!dns.on)
		return 0;
#define ADD(fd_, kind_, slot_)                                          \
	do {                                                           \
		pfd[n] = (struct pollfd){ .fd = (fd_), .events = POLLIN }; \
		W.pmap[n].kind = (kind_);                                \
		W.pmap[n++].slot = (uint8_t)(slot_);                     \
	} while (0)
	/* Fixed first: an idle server writes nothing in W. (-1 before the
	 * child sent them: poll skips a negative fd.) */
	pfd[n++] = (struct pollfd){ .fd = dns.udp, .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = dns.tcp, .events = POLLIN };
	for (int i = 0; dns.ntcp && i < DNS_TCP; i++)
		if (W.tcpc[i].used)
			ADD(W.tcpc[i].fd, M_TCP, i);
	for (int i = 0; dns.npend && i < DNS_PENDING; i++)
		if (W.pend[i].used)
			ADD(W.pend[i].fd, M_UP, i);
#undef ADD
	return n;
}

int dns_timeout(void)
{
	if (!dns.on || (!dns.npend && !dns.ntcp))
		return -1;
	int64_t first = INT64_MAX, now = now_ms();
	for (int i = 0; i < DNS_TCP; i++)
		if (W.tcpc[i].used && W.tcpc[i].deadline < first)
			first = W.tcpc[i].deadline;
	for (int i = 0; i < DNS_PENDING; i++)
		if (W.pend[i].used && W.pend[i].deadline < first)
			first = W.pend[i].deadline;
	if (first == INT64_MAX)
		return -1;
	return first <= now ? 0 : (int)(first - now);
}

void dns_step(const struct pollfd *pfd, int n)
{
	if (!dns.on)
		return;
	if (n >= 2 && pfd[0].revents)
		on_udp();
	if (n >= 2 && pfd[1].revents)
		on_listen();
	for (int k = 2; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		int s = W.pmap[k].slot;
		/* An earlier event of this round may have closed the slot (or
		 * reused it with another fd): then this event is not its. */
		switch (W.pmap[k].kind) {
		case M_TCP:
			if (W.tcpc[s].used && W.tcpc[s].fd == pfd[k].fd)
				on_tcp(s);
			break;
		case M_UP:
			if (W.pend[s].used && W.pend[s].fd == pfd[k].fd)
				on_upstream(&W.pend[s]);
			break;
		}
	}
	int64_t now = now_ms();
	for (int i = 0; dns.npend && i < DNS_PENDING; i++)
		if (W.pend[i].used && W.pend[i].deadline <= now) {
			W.pend[i].up++;
			up_send(&W.pend[i]);
		}
	for (int i = 0; dns.ntcp && i < DNS_TCP; i++)
		if (W.tcpc[i].used && W.tcpc[i].deadline <= now)
			tcp_close(i);
	bool busy = dns.npend || dns.ntcp;
	/* Something was received or sent: the buffers were written. Idle now:
	 * the pages go back; the next query faults in one or two fresh ones. */
	for (int k = 0; k < n; k++)
		dns.w_used |= pfd[k].revents != 0;
	if (dns.w_used && !busy) {
		madvise(&W, sizeof W, MADV_DONTNEED);
		dns.w_used = false;
	}
}
