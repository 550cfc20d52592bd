/* Raw netlink, shared by the monitor (C) and the addon (C++): a request
 * buffer of one or more messages, sent in one sendmsg(), and a reader that
 * collects the ack of every message that asked for one. No libmnl: the few
 * messages hutch sends are built here by hand.
 *
 * Errors: -1 with errno set (the kernel's errno for a refused message). */
#ifndef HUTCH_NETLINK_H
#define HUTCH_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#ifdef __cplusplus
extern "C" {
#endif

/* socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, proto) in the caller's network
 * namespace, with short acks (NETLINK_CAP_ACK: no copy of the request). */
int nl_open(int proto);

/* A request being built into caller memory. Messages are numbered from seq0;
 * overflow is sticky and makes nl_talk fail with EMSGSIZE. */
struct nlreq {
	char *buf;
	size_t cap, len;
	struct nlmsghdr *cur;
	uint32_t seq0;
	uint32_t nmsg;
	bool overflow;
};

void nl_init(struct nlreq *r, void *buf, size_t cap);
/* Starts a message with its family header (ifinfomsg, nfgenmsg…) copied in. */
struct nlmsghdr *nl_msg(struct nlreq *r, uint16_t type, uint16_t flags, const void *hdr, size_t hdrlen);
/* Raw bytes (aligned) into the current message: a header inside a nest. */
void nl_put(struct nlreq *r, const void *data, size_t len);
void nl_attr(struct nlreq *r, uint16_t type, const void *data, size_t len);
void nl_attr_str(struct nlreq *r, uint16_t type, const char *s);
void nl_attr_u32(struct nlreq *r, uint16_t type, uint32_t v);
void nl_attr_u8(struct nlreq *r, uint16_t type, uint8_t v);
/* Nested attributes: nl_nest() opens, nl_nest_end() closes (sets the length). */
struct nlattr *nl_nest(struct nlreq *r, uint16_t type);
void nl_nest_end(struct nlreq *r, struct nlattr *a);

/* Called for each data (non-ack) message of the reply. Return <0 (errno set)
 * to fail the exchange. */
typedef int (*nl_cb)(const struct nlmsghdr *h, void *arg);

/* Sends every message of r and reads until each message with NLM_F_ACK has
 * its ack (and, with NLM_F_DUMP, until NLMSG_DONE). errs (may be NULL) gets
 * one errno per message (0: ok). Returns 0, or -1 with errno = the first
 * refused message's error. */
int nl_talk(int fd, struct nlreq *r, int *errs, nl_cb cb, void *arg);

/* Attribute walking: the first attribute after a family header of hdrlen. */
#define NL_ATTRS(h, hdrlen) ((const struct nlattr *)((const char *)NLMSG_DATA(h) + NLMSG_ALIGN(hdrlen)))
#define NL_ATTRS_LEN(h, hdrlen) ((int)(h)->nlmsg_len - (int)NLMSG_LENGTH(NLMSG_ALIGN(hdrlen)))
/* Fills tb[0..max] with the attributes of the list (unknown types skipped). */
void nl_parse(const struct nlattr *a, int len, const struct nlattr **tb, int max);
static inline const void *nl_data(const struct nlattr *a) { return (const char *)a + NLA_HDRLEN; }
static inline int nl_len(const struct nlattr *a) { return (int)a->nla_len - NLA_HDRLEN; }

#ifdef __cplusplus
}
#endif

#endif
