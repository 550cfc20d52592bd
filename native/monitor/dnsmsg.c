/* See dnsmsg.h. RFC 1035 section 4.1. */
#include "dnsmsg.h"

#include <string.h>

int dnsmsg_parse(const uint8_t *p, size_t n, struct dnsq *q)
{
	q->qend = DNS_HDR;
	q->local = false;
	q->name[0] = 0;
	if (n < DNS_HDR || (p[2] & 0x80))
		return -1;
	if (((p[2] >> 3) & 0xf) != 0)
		return DNS_NOTIMP;
	if (n > DNS_QMAX || dns_get16(p + 4) != 1)
		return DNS_FORMERR;
	size_t i = DNS_HDR, wire = 1, t = 0;
	bool local = true, refuse = false;
	for (;;) {
		if (i >= n)
			return DNS_FORMERR;
		uint8_t l = p[i++];
		if (l == 0)
			break;
		/* A pointer (or the reserved 01/10 forms) in a question: nothing
		 * earlier in the packet for it to point at; no resolver sends it. */
		if (l & 0xc0)
			return DNS_FORMERR;
		if (l > n - i)
			return DNS_FORMERR;
		wire += 1u + l;
		if (wire > 255)
			return DNS_FORMERR;
		/* wire <= 255 bounds the text to 253 chars plus dots: fits name[]. */
		if (t)
			q->name[t++] = '.';
		for (size_t k = 0; k < l; k++) {
			uint8_t c = p[i + k];
			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c - 'A' + 'a');
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
				;
			else if (c == '.' || c == '/' || c < 0x21 || c > 0x7e)
				refuse = true;
			else
				local = false; /* a valid DNS name, not one of ours: forwarded */
			q->name[t++] = (char)c;
		}
		i += l;
	}
	q->name[t] = 0;
	if (n - i < 4)
		return DNS_FORMERR;
	q->qtype = dns_get16(p + i);
	q->qclass = dns_get16(p + i + 2);
	q->qend = i + 4;
	if (refuse)
		return DNS_REFUSED;
	q->local = local && t > 0 && t <= 253;
	return DNS_NOERROR;
}

size_t dnsmsg_reply(const uint8_t *p, const struct dnsq *q, int rcode, bool aa, const uint32_t *addr, uint32_t ttl,
		    uint8_t *out, size_t cap)
{
	size_t n = q->qend;
	if (cap < n + DNS_ANS_A)
		return 0;
	memcpy(out, p, n);
	/* QR, the query's opcode and RD, AA; RA: other names are recursed for. */
	out[2] = (uint8_t)(0x80 | (p[2] & 0x79) | (aa ? 0x04 : 0));
	out[3] = (uint8_t)(0x80 | (rcode & 0xf));
	dns_put16(out + 4, n > DNS_HDR ? 1 : 0);
	dns_put16(out + 6, addr ? 1 : 0);
	dns_put16(out + 8, 0);
	dns_put16(out + 10, 0); /* no OPT: EDNS is optional for a responder (RFC 6891 7) */
	if (addr) {
		uint8_t *a = out + n;
		dns_put16(a, 0xc000 | DNS_HDR); /* the question's name */
		dns_put16(a + 2, DNS_T_A);
		dns_put16(a + 4, DNS_C_IN);
		dns_put16(a + 6, (uint16_t)(ttl >> 16));
		dns_put16(a + 8, (uint16_t)ttl);
		dns_put16(a + 10, 4);
		memcpy(a + 12, addr, 4);
		n += DNS_ANS_A;
	}
	return n;
}
