/* See net.h: the parent's side. Published ports are reserved by binding
 * them (no SO_REUSEADDR, no listen()): a second container asking for the
 * same port fails with EADDRINUSE at once, a host program cannot take it
 * while the container lives, and a connection that escapes the DNAT gets a
 * RST instead of hanging. Then one nfnetlink batch adds the map elements
 * that the table's DNAT rules look up. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/netlink.h"

static int open_netns(const char *path, const char **step, char *detail, size_t len)
{
	*step = "netns";
	snprintf(detail, len, "%s", path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* Only an nsfs file of a network namespace: setns() with
	 * CLONE_NEWNET would refuse others too, but later, in the child. */
	int type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		close(fd);
		errno = type < 0 ? (errno == ENOTTY ? EINVAL : errno) : EINVAL;
		return -1;
	}
	return fd;
}

static int reserve(const struct pubport *pp, const char **step, char *detail, size_t len)
{
	*step = "ports";
	pubport_name(pp, detail, len);
	int fd = socket(AF_INET, (pp->proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(pp->host_port) };
	sa.sin_addr.s_addr = pp->host_ip;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int net_prepare(const struct spec *s, struct netplan *p, const char **step, char *detail, size_t len)
{
	if (s->netns_path && (p->netns_fd = open_netns(s->netns_path, step, detail, len)) < 0)
		return -1;
	if (p->nifs && (p->rtnl = nl_open(NETLINK_ROUTE)) < 0) {
		*step = "net";
		snprintf(detail, len, "netlink route");
		return -1;
	}
	if (!p->nports)
		return 0;
	p->port_fds = malloc(p->nports * sizeof *p->port_fds);
	if (!p->port_fds) {
		*step = "ports";
		detail[0] = 0;
		return -1;
	}
	for (size_t i = 0; i < p->nports; i++)
		p->port_fds[i] = -1;
	for (size_t i = 0; i < p->nports; i++)
		if ((p->port_fds[i] = reserve(&p->ports[i], step, detail, len)) < 0)
			goto fail;
	*step = "nft";
	if ((p->nft = nft_open()) < 0) {
		snprintf(detail, len, "netlink netfilter");
		goto fail;
	}
	/* Set before the call: a batch that failed after an earlier one of
	 * 256 went in leaves elements to remove. */
	p->published = true;
	if (nft_ports_add(p->nft, p->table, p->ports, p->nports, p->ctr_ip, detail, len) < 0)
		goto fail;
	return 0;
fail:;
	int e = errno;
	net_unpublish(p);
	errno = e;
	return -1;
}

void net_after_clone(struct netplan *p)
{
	if (p->netns_fd >= 0)
		close(p->netns_fd);
	if (p->rtnl >= 0)
		close(p->rtnl);
	p->netns_fd = p->rtnl = -1;
}

void net_unpublish(struct netplan *p)
{
	if (p->published) {
		/* Our bind() held each port: no other monitor can have taken the
		 * elements over, so no need to check whose they are. A failure
		 * leaves stale elements that the next user of the port replaces
		 * and that the engine's gc removes. */
		nft_ports_del(p->nft, p->table, p->ports, p->nports, p->ctr_ip, false);
		p->published = false;
	}
	if (p->port_fds)
		for (size_t i = 0; i < p->nports; i++)
			if (p->port_fds[i] >= 0) {
				close(p->port_fds[i]);
				p->port_fds[i] = -1;
			}
	if (p->nft >= 0) {
		close(p->nft);
		p->nft = -1;
	}
}
