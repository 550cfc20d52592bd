/* Links, addresses and routes over NETLINK_ROUTE (the few `ip` commands a
 * bridge network needs), on a socket from nl_open(NETLINK_ROUTE): each call
 * acts in the network namespace that socket was opened in. -1 with errno set
 * on failure. */
#ifndef HUTCH_RTNL_H
#define HUTCH_RTNL_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ifindex of name; -1 with ENODEV when there is no such link. */
int rtnl_link_index(int fd, const char *name);

struct veth_req {
	const char *host;    /* host end, created in fd's namespace */
	const char *peer;    /* other end, created directly in peer_netns */
	int peer_netns;      /* an fd of a network namespace */
	int master;          /* ifindex of the bridge the host end joins */
	unsigned mtu;        /* 0: the kernel's default, both ends */
	const uint8_t *mac;  /* peer's address, or NULL for a random one */
};
/* Creates the pair (NLM_F_EXCL: EEXIST when host exists), host end attached
 * to master and up. The peer is left down. */
int rtnl_veth_create(int fd, const struct veth_req *v);
/* Bridge port flag: hairpin mode (a container reaching itself through a
 * published port comes back out of the port it left by). */
int rtnl_brport_hairpin(int fd, const char *name, bool on);
int rtnl_link_up(int fd, int index);
/* Deletes by name; ENODEV when missing. */
int rtnl_link_del(int fd, const char *name);
/* A bridge (NLM_F_EXCL: EEXIST when name exists), mtu 0 for the default, down. */
int rtnl_bridge_create(int fd, const char *name, unsigned mtu);
/* ip (network byte order)/prefix on the link. */
int rtnl_addr_add(int fd, int index, uint32_t ip, int prefix);
/* Default route via gw (network byte order) on the link. */
int rtnl_route_default(int fd, int index, uint32_t gw);
/* Calls each(name) for every link of the namespace. */
int rtnl_links(int fd, void (*each)(const char *name, void *arg), void *arg);

/* "10.0.0.5/16" -> ip (network order), prefix. 0 or -1 (EINVAL). */
int parse_cidr4(const char *s, uint32_t *ip, int *prefix);
/* "02:42:0a:4d:00:05" -> 6 bytes. 0 or -1 (EINVAL). */
int parse_mac(const char *s, uint8_t mac[6]);

#ifdef __cplusplus
}
#endif

#endif
