/* State shared by dns.c (configuration, sockets) and dnsserve.c (serving). */
#ifndef HUTCH_DNSINT_H
#define HUTCH_DNSINT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define DNS_MAX_DIRS 8 /* one per network the container is on */
#define DNS_MAX_UP 4   /* resolv.conf has at most 3 */
#define DNS_ADDR 0x7f00000bu /* 127.0.0.11, docker's */

struct dns_state {
	bool on;
	int ndirs, nup;
	int dirs[DNS_MAX_DIRS];          /* O_PATH, opened before clone */
	/* Into the annotation (the spec's arena): valid until clone only. */
	const char *dirpath[DNS_MAX_DIRS];
	size_t dirlen[DNS_MAX_DIRS];
	struct sockaddr_in up[DNS_MAX_UP];
	uint32_t ttl;
	int udp, tcp;                    /* in the container's namespace, from the child */
	/* dnsserve.c's buffers were written since they were last given back,
	 * and how many of its slots are in use. Here, not beside them: idle,
	 * the server must not even read those pages (a read fault costs a
	 * page too). */
	bool w_used;
	int npend, ntcp;
};

extern struct dns_state dns;

#endif
