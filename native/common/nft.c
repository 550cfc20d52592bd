/* See nft.h. Each element is a message of its own inside the batch, with
 * NLM_F_ACK: nfnetlink then reports every message's result (it goes on
 * after an error to report all of them, then aborts the whole batch), so we
 * know exactly which keys clashed or were missing and can retry with just
 * those handled. */
#include "nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netlink.h"

#define CHUNK 256
/* One element message is ~120 bytes; two per port when replacing. */
#define MSG_ROOM 160

int pubports_parse(const char *s, struct pubport **out, size_t *n, size_t *bad)
{
	size_t cap = 1;
	for (const char *c = s; *c; c++)
		cap += *c == ',';
	struct pubport *p = calloc(cap, sizeof *p);
	if (!p)
		return -1;
	size_t k = 0;
	const char *start = s, *e = s;
	while (*s) {
		char proto[4], ip[INET_ADDRSTRLEN], tail;
		unsigned hp, cp;
		int used = 0;
		e = s;
		if (sscanf(s, "%3[a-z]:%15[0-9.]:%u:%u%n", proto, ip, &hp, &cp, &used) != 4 || used == 0)
			goto bad;
		tail = s[used];
		if ((tail != ',' && tail != 0) || hp == 0 || hp > 65535 || cp == 0 || cp > 65535)
			goto bad;
		if (strcmp(proto, "tcp") == 0)
			p[k].proto = IPPROTO_TCP;
		else if (strcmp(proto, "udp") == 0)
			p[k].proto = IPPROTO_UDP;
		else
			goto bad;
		if (inet_pton(AF_INET, ip, &p[k].host_ip) != 1)
			goto bad;
		p[k].host_port = (uint16_t)hp;
		p[k].ctr_port = (uint16_t)cp;
		k++;
		s += used + (tail == ',');
		if (tail == ',' && !*s)
			goto bad;
	}
	*out = p;
	*n = k;
	return 0;
bad:
	free(p);
	if (bad)
		*bad = (size_t)(e - start);
	errno = EINVAL;
	return -1;
}

void pubport_name(const struct pubport *p, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &p->host_ip, ip, sizeof ip);
	snprintf(buf, len, "%s %s:%u", p->proto == IPPROTO_TCP ? "tcp" : "udp", ip, p->host_port);
}

int nft_open(void)
{
	int fd = nl_open(NETLINK_NETFILTER);
	if (fd < 0)
		return -1;
	/* Up to CHUNK acks queued at once, each an skb of ~1 KiB truesize. */
	int sz = 1 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	return fd;
}

static const char *map_of(const struct pubport *p)
{
	return p->host_ip ? "pub_ip" : "pub_any";
}

/* Register-slot layout of the key and the data (see nft.h). */
static size_t key_of(const struct pubport *p, uint8_t key[12])
{
	uint16_t port = htons(p->host_port);
	memset(key, 0, 12);
	if (!p->host_ip) {
		key[0] = p->proto;
		memcpy(key + 4, &port, 2);
		return 8;
	}
	memcpy(key, &p->host_ip, 4);
	key[4] = p->proto;
	memcpy(key + 8, &port, 2);
	return 12;
}

static void data_of(const struct pubport *p, uint32_t ctr_ip, uint8_t data[8])
{
	uint16_t port = htons(p->ctr_port);
	memset(data, 0, 8);
	memcpy(data, &ctr_ip, 4);
	memcpy(data + 4, &port, 2);
}

static void nfgen(struct nlreq *r, uint16_t type, uint16_t flags, uint8_t family, uint16_t res_id)
{
	struct nfgenmsg g = { .nfgen_family = family, .version = NFNETLINK_V0, .res_id = htons(res_id) };
	nl_msg(r, type, flags, &g, sizeof g);
}

/* One element message: NEWSETELEM (key and data), DELSETELEM or GETSETELEM (key). */
static void elem_msg(struct nlreq *r, int op, uint16_t flags, const char *table, const struct pubport *p,
		     uint32_t ctr_ip)
{
	uint8_t key[12], data[8];
	size_t klen = key_of(p, key);
	nfgen(r, (NFNL_SUBSYS_NFTABLES << 8) | op, NLM_F_REQUEST | flags, NFPROTO_IPV4, 0);
	nl_attr_str(r, NFTA_SET_ELEM_LIST_TABLE, table);
	nl_attr_str(r, NFTA_SET_ELEM_LIST_SET, map_of(p));
	struct nlattr *list = nl_nest(r, NFTA_SET_ELEM_LIST_ELEMENTS);
	struct nlattr *el = nl_nest(r, NFTA_LIST_ELEM);
	struct nlattr *k = nl_nest(r, NFTA_SET_ELEM_KEY);
	nl_attr(r, NFTA_DATA_VALUE, key, klen);
	nl_nest_end(r, k);
	if (op == NFT_MSG_NEWSETELEM) {
		data_of(p, ctr_ip, data);
		struct nlattr *d = nl_nest(r, NFTA_SET_ELEM_DATA);
		nl_attr(r, NFTA_DATA_VALUE, data, 8);
		nl_nest_end(r, d);
	}
	nl_nest_end(r, el);
	nl_nest_end(r, list);
}

/* What one port gets in a batch. */
enum step { SKIP, ADD, REPLACE, DEL };

/* One batch over p[0..n): each port's step as one or two messages. errs[i]
 * gets port i's error (its first failing message). Returns 0 or -1 (errno:
 * the first error). */
static int batch(int fd, const char *table, const struct pubport *p, const enum step *steps, size_t n,
		 uint32_t ctr_ip, int *errs)
{
	size_t cap = (2 * n + 2) * MSG_ROOM;
	char *buf = malloc(cap);
	int *merr = malloc((2 * n + 2) * sizeof *merr);
	uint32_t *owner = malloc((2 * n + 2) * sizeof *owner);
	int rc = -1;
	if (!buf || !merr || !owner)
		goto out;
	struct nlreq r;
	nl_init(&r, buf, cap);
	/* NLM_F_REQUEST on the batch markers too: the kernel refuses (EINVAL)
	 * and aborts a batch whose end lacks it. */
	nfgen(&r, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
	for (size_t i = 0; i < n; i++) {
		if (steps[i] == REPLACE || steps[i] == DEL) {
			owner[r.nmsg] = (uint32_t)i;
			elem_msg(&r, NFT_MSG_DELSETELEM, NLM_F_ACK, table, &p[i], ctr_ip);
		}
		if (steps[i] == REPLACE || steps[i] == ADD) {
			owner[r.nmsg] = (uint32_t)i;
			elem_msg(&r, NFT_MSG_NEWSETELEM, NLM_F_ACK | NLM_F_CREATE, table, &p[i], ctr_ip);
		}
	}
	nfgen(&r, NFNL_MSG_BATCH_END, NLM_F_REQUEST, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
	rc = nl_talk(fd, &r, merr, NULL, NULL);
	int e = errno;
	memset(errs, 0, n * sizeof *errs);
	for (uint32_t m = 1; m + 1 < r.nmsg; m++)
		if (merr[m] && !errs[owner[m]])
			errs[owner[m]] = merr[m];
	/* A refused batch header (no nf_tables) fails every port. */
	if (merr[0] || (r.nmsg && merr[r.nmsg - 1]))
		for (size_t i = 0; i < n; i++)
			if (steps[i] != SKIP && !errs[i])
				errs[i] = merr[0] ? merr[0] : merr[r.nmsg - 1];
	errno = e;
out:
	if (rc < 0 && (!buf || !merr || !owner))
		errno = ENOMEM;
	{
		int e2 = errno;
		free(buf);
		free(merr);
		free(owner);
		errno = e2;
	}
	return rc;
}

static int table_cb(const struct nlmsghdr *h, void *arg)
{
	(void)h;
	*(int *)arg = 1;
	return 0;
}

int nft_table_exists(int fd, const char *table)
{
	char buf[512];
	struct nlreq r;
	nl_init(&r, buf, sizeof buf);
	nfgen(&r, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, NLM_F_REQUEST | NLM_F_ACK, NFPROTO_IPV4, 0);
	nl_attr_str(&r, NFTA_TABLE_NAME, table);
	int found = 0;
	if (nl_talk(fd, &r, NULL, table_cb, &found) < 0)
		return errno == ENOENT ? 0 : -1;
	return 1;
}

static void name_failure(int fd, const char *table, const struct pubport *p, int err, char *what, size_t len)
{
	char port[40];
	if (err == ENOENT && nft_table_exists(fd, table) != 1) {
		snprintf(what, len, "table ip %s", table);
		return;
	}
	if (err == ENOENT) {
		snprintf(what, len, "map ip %s %s", table, map_of(p));
		return;
	}
	pubport_name(p, port, sizeof port);
	snprintf(what, len, "element %s in map ip %s %s", port, table, map_of(p));
}

int nft_ports_add(int fd, const char *table, const struct pubport *p, size_t n, uint32_t ctr_ip, char *what,
		  size_t whatlen)
{
	enum step steps[CHUNK];
	int errs[CHUNK];
	for (size_t at = 0; at < n; at += CHUNK) {
		size_t m = n - at < CHUNK ? n - at : CHUNK;
		for (size_t i = 0; i < m; i++)
			steps[i] = ADD;
		/* Twice at most: all as adds, then the clashing keys replaced. */
		for (int round = 0;; round++) {
			if (batch(fd, table, p + at, steps, m, ctr_ip, errs) == 0)
				break;
			int e = errno;
			bool retry = round == 0, any = false;
			size_t bad = 0;
			for (size_t i = 0; i < m; i++) {
				if (!errs[i])
					continue;
				any = true;
				/* EBUSY: same key, other data; EEXIST: same with NLM_F_EXCL. */
				if (errs[i] != EEXIST && errs[i] != EBUSY)
					retry = false;
				bad = i;
			}
			if (!retry || !any) {
				e = errs[bad] ? errs[bad] : e;
				name_failure(fd, table, &p[at + bad], e, what, whatlen);
				errno = e;
				return -1;
			}
			for (size_t i = 0; i < m; i++)
				steps[i] = errs[i] ? REPLACE : ADD;
		}
	}
	return 0;
}

/* The element of p maps to ctr_ip:ctr_port: 1 yes, 0 no or missing, -1 error. */
struct getelem {
	uint8_t want[8];
	int match;
};

static int getelem_cb(const struct nlmsghdr *h, void *arg)
{
	struct getelem *g = arg;
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_ELEMENTS + 1], *el[NFTA_SET_ELEM_DATA + 1], *d[NFTA_DATA_VALUE + 1];
	nl_parse(NL_ATTRS(h, sizeof(struct nfgenmsg)), NL_ATTRS_LEN(h, sizeof(struct nfgenmsg)), tb,
		 NFTA_SET_ELEM_LIST_ELEMENTS);
	const struct nlattr *list = tb[NFTA_SET_ELEM_LIST_ELEMENTS];
	if (!list)
		return 0;
	const struct nlattr *first = nl_data(list);
	/* The first (only) NFTA_LIST_ELEM of the list. */
	if (nl_len(list) < NLA_HDRLEN)
		return 0;
	nl_parse(nl_data(first), nl_len(first), el, NFTA_SET_ELEM_DATA);
	if (!el[NFTA_SET_ELEM_DATA])
		return 0;
	nl_parse(nl_data(el[NFTA_SET_ELEM_DATA]), nl_len(el[NFTA_SET_ELEM_DATA]), d, NFTA_DATA_VALUE);
	g->match = d[NFTA_DATA_VALUE] && nl_len(d[NFTA_DATA_VALUE]) == 8 && memcmp(nl_data(d[NFTA_DATA_VALUE]), g->want, 8) == 0;
	return 0;
}

static int is_ours(int fd, const char *table, const struct pubport *p, uint32_t ctr_ip)
{
	char buf[512];
	struct nlreq r;
	struct getelem g = { .match = 0 };
	data_of(p, ctr_ip, g.want);
	nl_init(&r, buf, sizeof buf);
	elem_msg(&r, NFT_MSG_GETSETELEM, NLM_F_ACK, table, p, ctr_ip);
	if (nl_talk(fd, &r, NULL, getelem_cb, &g) < 0)
		return errno == ENOENT ? 0 : -1;
	return g.match;
}

int nft_ports_del(int fd, const char *table, const struct pubport *p, size_t n, uint32_t ctr_ip, bool only_ours)
{
	enum step steps[CHUNK];
	int errs[CHUNK];
	for (size_t at = 0; at < n; at += CHUNK) {
		size_t m = n - at < CHUNK ? n - at : CHUNK, left = 0;
		for (size_t i = 0; i < m; i++) {
			int ours = only_ours ? is_ours(fd, table, &p[at + i], ctr_ip) : 1;
			if (ours < 0)
				return -1;
			steps[i] = ours ? DEL : SKIP;
			left += ours;
		}
		/* Each round drops the missing ones; the others existed a moment
		 * ago, so this ends unless someone races us deleting. */
		for (int round = 0; left && round < 4; round++) {
			if (batch(fd, table, p + at, steps, m, ctr_ip, errs) == 0)
				break;
			int e = errno;
			left = 0;
			for (size_t i = 0; i < m; i++) {
				if (errs[i] == ENOENT)
					steps[i] = SKIP;
				else if (errs[i]) {
					errno = errs[i];
					return -1;
				}
				left += steps[i] != SKIP;
			}
			if (left && round == 3) {
				errno = e;
				return -1;
			}
		}
	}
	return 0;
}
