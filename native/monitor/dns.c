/* See dns.h: the annotation, the names directories and the sockets. The
 * serving loop is in dnsserve.c. */
#include "dns.h"
#include "dnsint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "report.h"
#include "util.h"

struct dns_state dns;

static int bad(const char **step, char *detail, size_t len, const char *at, size_t n)
{
	*step = "config";
	snprintf(detail, len, "run.hutch.dns (%.*s)", (int)n, at);
	errno = EINVAL;
	return -1;
}

/* "IP[:PORT]", IPv4. */
static int parse_upstream(const char *v, size_t n, struct sockaddr_in *sa)
{
	char ip[16], port[8] = "53";
	const char *colon = memchr(v, ':', n);
	size_t il = colon ? (size_t)(colon - v) : n;
	if (il >= sizeof ip)
		return -1;
	memcpy(ip, v, il);
	ip[il] = 0;
	if (colon) {
		size_t pl = n - il - 1;
		if (pl == 0 || pl >= sizeof port)
			return -1;
		memcpy(port, colon + 1, pl);
		port[pl] = 0;
	}
	unsigned long long p;
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	if (inet_pton(AF_INET, ip, &sa->sin_addr) != 1 || parse_uint(port, 65535, &p) < 0 || p == 0)
		return -1;
	sa->sin_port = htons((uint16_t)p);
	return 0;
}

int dns_parse(const struct spec *s, const char **step, char *detail, size_t len)
{
	memset(&dns, 0, sizeof dns);
	dns.udp = dns.tcp = -1;
	dns.ttl = 600;
	/* A joined namespace is its owner's: so is the server on its
	 * 127.0.0.11 (a second one could not bind anyway). */
	if (!s->dns || s->netns_path)
		return 0;
	if (!(s->ns_flags & CLONE_NEWNET))
		return bad(step, detail, len, "needs a network namespace", 25);
	dns.on = true;
	for (const char *at = s->dns; *at;) {
		const char *comma = strchr(at, ',');
		size_t n = comma ? (size_t)(comma - at) : strlen(at);
		const char *eq = memchr(at, '=', n);
		if (!eq)
			return bad(step, detail, len, at, n);
		size_t kl = (size_t)(eq - at), vl = n - kl - 1;
		const char *v = eq + 1;
#define KEY(k) (kl == strlen(k) && memcmp(at, k, kl) == 0)
		if (KEY("names")) {
			if (dns.ndirs == DNS_MAX_DIRS || vl == 0 || vl >= PATH_MAX || *v != '/')
				return bad(step, detail, len, at, n);
			dns.dirpath[dns.ndirs] = v;
			dns.dirlen[dns.ndirs++] = vl;
		} else if (KEY("upstream")) {
			struct sockaddr_in sa;
			if (parse_upstream(v, vl, &sa) < 0)
				return bad(step, detail, len, at, n);
			/* More are ignored, as glibc ignores a fourth nameserver:
			 * each one asked costs a client 2 s more before SERVFAIL. */
			if (dns.nup < DNS_MAX_UP)
				dns.up[dns.nup++] = sa;
		} else if (KEY("ttl")) {
			char num[16];
			unsigned long long t;
			if (vl == 0 || vl >= sizeof num)
				return bad(step, detail, len, at, n);
			memcpy(num, v, vl);
			num[vl] = 0;
			if (parse_uint(num, 0x7fffffff, &t) < 0)
				return bad(step, detail, len, at, n);
			dns.ttl = (uint32_t)t;
		} else {
			return bad(step, detail, len, at, n); /* a setting we would silently drop */
		}
#undef KEY
		at += n + (comma ? 1 : 0);
	}
	return 0;
}

int dns_prepare(const char **step, char *detail, size_t len)
{
	char path[PATH_MAX];
	for (int i = 0; i < dns.ndirs; i++) {
		memcpy(path, dns.dirpath[i], dns.dirlen[i]);
		path[dns.dirlen[i]] = 0;
		/* O_PATH: only readlinkat() of one entry below it, ever. Opened
		 * once: names are looked up without a path walk from user data. */
		dns.dirs[i] = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dns.dirs[i] < 0) {
			int e = errno;
			*step = "dns";
			snprintf(detail, len, "names %s", path);
			while (i-- > 0)
				close(dns.dirs[i]);
			errno = e;
			return -1;
		}
	}
	return 0;
}

static int listen_on(int type)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	sa.sin_addr.s_addr = htonl(DNS_ADDR);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || (type == SOCK_STREAM && listen(fd, DNS_TCP) < 0)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

void dns_child_open(void)
{
	if (!dns.on)
		return;
	/* The directories are the monitor's; the container never sees them. */
	for (int i = 0; i < dns.ndirs; i++)
		close(dns.dirs[i]);
	/* lo is up (net_setup ran): 127.0.0.11 is ours to bind in this
	 * namespace. The report socket carries the fds like the console's. */
	int u = listen_on(SOCK_DGRAM);
	if (u < 0)
		child_failf("dns", errno, "udp 127.0.0.11:53");
	if (report_send_kind_fd(REPORT_DNS_UDP, u) < 0)
		child_failf("dns", errno, "udp 127.0.0.11:53");
	close(u);
	int t = listen_on(SOCK_STREAM);
	if (t < 0)
		child_failf("dns", errno, "tcp 127.0.0.11:53");
	if (report_send_kind_fd(REPORT_DNS_TCP, t) < 0)
		child_failf("dns", errno, "tcp 127.0.0.11:53");
	close(t);
}

void dns_adopt(int kind, int fd)
{
	int *slot = kind == REPORT_DNS_UDP ? &dns.udp : &dns.tcp;
	if (!dns.on || *slot >= 0) {
		close(fd);
		return;
	}
	*slot = fd;
}
