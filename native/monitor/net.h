/* A container's network, from config.json (PROTOCOL.md, "Networking"):
 * interfaces on host bridges (annotation run.hutch.networks), published
 * ports (run.hutch.ports, in nftables maps of table run.hutch.nft.table),
 * or another container's network namespace (linux.namespaces path).
 *
 * The parent prepares everything that belongs to the host before clone():
 * the joined namespace's fd, a NETLINK_ROUTE socket of the host namespace,
 * the reserved ports and their map elements. The child, in its new network
 * namespace, creates its veth pairs through that socket and configures its
 * own ends through a socket of its own. */
#ifndef HUTCH_NET_H
#define HUTCH_NET_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/nft.h"
#include "spec.h"

#define NET_MAX_IFS 16

struct netif {
	char bridge[IFNAMSIZ], veth[IFNAMSIZ], ifname[IFNAMSIZ];
	char addr_text[20];    /* "10.77.0.5/16", for error details */
	char gw_text[16];
	uint32_t addr, gw;     /* network order */
	int prefix;
	bool has_gw, has_mac;
	uint8_t mac[6];
	unsigned mtu;          /* 0: the kernel's default */
};

struct netplan {
	struct netif ifs[NET_MAX_IFS];
	size_t nifs;
	int netns_fd;          /* namespace to join (linux.namespaces path), or -1 */
	int rtnl;              /* NETLINK_ROUTE of the host namespace (for veths), or -1 */
	/* Published ports: kept for the monitor's life, undone at exit. */
	struct pubport *ports;
	size_t nports;
	int *port_fds;         /* the bound, never listening, sockets */
	int nft;               /* NETLINK_NETFILTER, or -1 */
	char table[64];
	uint32_t ctr_ip;       /* the first interface's address */
	bool published;        /* elements added: remove them at exit or failure */
};

/* Parses the annotations into p (*step "config", detail the field, on a
 * malformed one). */
int net_parse(const struct spec *s, struct netplan *p, const char **step, char *detail, size_t len);

/* Parent, before clone(): opens the namespace to join and the host's
 * netlink socket, reserves the ports and publishes them. On failure *step
 * and detail name what failed (PROTOCOL.md), and nothing is left published. */
int net_prepare(const struct spec *s, struct netplan *p, const char **step, char *detail, size_t len);

/* Parent, after clone(): closes what only the child needed. */
void net_after_clone(struct netplan *p);

/* Parent: removes the map elements (once) and frees the reserved ports. */
void net_unpublish(struct netplan *p);

/* Parent, after the init exited: starts deleting the host ends of the veth
 * pairs, then (after the ports are unpublished) waits until their names are
 * free. The kernel would delete them with the dead namespace, but later,
 * from a workqueue: a restart that reuses the names would find them taken. */
void net_remove_links_start(const struct netplan *p);
void net_remove_links_wait(const struct netplan *p);
/* The child, which failed at step, had created its veth pairs: the steps
 * before them and "net" itself (which deletes what it made) say no. */
bool net_links_made(const struct netplan *p, const char *step);

/* Child, first thing after clone(): setns into the joined namespace. */
void net_join(const struct netplan *p);

/* Child, in its namespaces: lo up in a new network namespace, then each
 * interface. Reports failures (step "net") and exits; a veth it created
 * is deleted first. */
void net_setup(const struct spec *s, const struct netplan *p);

/* Monitor side, for a container in a user namespace (userns.h): creates the
 * veth pairs of the plan, peers in the network namespace of pid, host ends on
 * their bridges (the init does the rest of net_setup). -1 with errno and
 * what; nothing is left made then. */
int net_make_links(const struct netplan *p, pid_t pid, char *what, size_t len);

#endif
