/* Published ports as nftables map elements, over NETLINK_NETFILTER (what
 * `nft add element` would send, without the exec). The engine creates table
 * `ip <table>` with its maps once (`nft -f`, research §1.3); per container
 * only elements change:
 *
 *   map pub_any { type inet_proto . inet_service : ipv4_addr . inet_service }  host ip 0.0.0.0
 *   map pub_ip  { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service }
 *
 * A concatenation puts each component in its own 4-byte register slot:
 * inet_proto is 1 byte then 3 of padding, inet_service 2 bytes (network
 * order) then 2 of padding, ipv4_addr 4 bytes. -1 with errno on failure. */
#ifndef HUTCH_NFT_H
#define HUTCH_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pubport {
	uint8_t proto;       /* IPPROTO_TCP or IPPROTO_UDP */
	uint32_t host_ip;    /* network order; 0 = any */
	uint16_t host_port;  /* host order */
	uint16_t ctr_port;
};

/* "tcp:0.0.0.0:8080:80,udp:127.0.0.1:53:53" -> a malloc()ed array (free it).
 * "" gives n = 0. -1 with EINVAL on a malformed entry (*bad: its offset). */
int pubports_parse(const char *s, struct pubport **out, size_t *n, size_t *bad);
/* "tcp 0.0.0.0:8080", as error details name a port. */
void pubport_name(const struct pubport *p, char *buf, size_t len);

/* socket(NETLINK_NETFILTER) with room for the acks of a large batch. */
int nft_open(void);
/* 1 when table `ip <table>` exists, 0 when not, -1 on error. */
int nft_table_exists(int fd, const char *table);

/* Adds the elements mapping each port to ctr_ip:ctr_port in one batch (per
 * 256 ports). An element with the same key is replaced (delete + add in one
 * batch): a stale one from a monitor that was killed. On failure nothing of
 * the failed batch is added (earlier batches are: delete them with
 * nft_ports_del) and what names the object: "table ip hutch" (ENOENT),
 * "map ip hutch pub_any", or the element. */
int nft_ports_add(int fd, const char *table, const struct pubport *p, size_t n, uint32_t ctr_ip, char *what,
		  size_t whatlen);
/* Deletes the elements of these ports; a missing element (or table) is not an
 * error. only_ours: delete an element only when it maps to ctr_ip:ctr_port
 * (another container may have taken the port over since). */
int nft_ports_del(int fd, const char *table, const struct pubport *p, size_t n, uint32_t ctr_ip, bool only_ours);

#ifdef __cplusplus
}
#endif

#endif
