/* DNS messages for the monitor's embedded server (dns.h): parsing the one
 * question of a query and building the few replies it makes itself. Pure
 * functions over caller buffers, every read bounds-checked: the packets come
 * from inside the container. */
#ifndef HUTCH_DNSMSG_H
#define HUTCH_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HDR 12
/* The largest query accepted (classic UDP size; queries are ~20-300 bytes,
 * EDNS included). Replies the monitor builds fit in DNS_QMAX + DNS_ANS_A. */
#define DNS_QMAX 512
#define DNS_ANS_A 16 /* pointer to the question, type, class, ttl, rdlength, address */

#define DNS_NOERROR 0
#define DNS_FORMERR 1
#define DNS_SERVFAIL 2
#define DNS_NOTIMP 4
#define DNS_REFUSED 5

#define DNS_T_A 1
#define DNS_T_ANY 255
#define DNS_C_IN 1
#define DNS_C_ANY 255

struct dnsq {
	size_t qend;    /* offset just after the question; DNS_HDR when there is none */
	uint16_t qtype, qclass;
	/* The name as text, lower case, no trailing dot ("" for the root). Only
	 * meaningful when local is true. */
	char name[256];
	/* Only [a-z0-9_-] labels, 1-253 chars: may be looked up in a names
	 * directory (one directory entry: it can hold no '/' and is never
	 * "." or ".."). */
	bool local;
};

/* Parses the header and the one question of the n-byte query p.
 * Returns -1: drop it (too short to answer, or a response: answering those
 * could loop); 0: a well-formed standard query; else the rcode to answer
 * with (FORMERR: no or several questions, compression in the question, a
 * name past the end or over 255 bytes, a query over DNS_QMAX; NOTIMP: not a
 * standard query; REFUSED: a label with a '.', '/', a control or non-ASCII
 * byte, which no resolver sends and no upstream should get). */
int dnsmsg_parse(const uint8_t *p, size_t n, struct dnsq *q);

/* A reply to query p built into out (cap >= q->qend + DNS_ANS_A): its header
 * and question, the rcode, AA when authoritative, and one A record when addr
 * is given. Returns the length. */
size_t dnsmsg_reply(const uint8_t *p, const struct dnsq *q, int rcode, bool aa, const uint32_t *addr, uint32_t ttl,
		    uint8_t *out, size_t cap);

/* Header fields, network order in the packet. */
static inline uint16_t dns_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline void dns_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
