/* See rtnl.h. Each call is one request/ack exchange of a few hundred bytes;
 * the kernel does the work synchronously inside sendmsg(), so a call costs
 * its syscall pair plus what the kernel does (the veth pair dominates). */
#include "rtnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlink.h"

#define REQ_SIZE 1024

static int ifname_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= IFNAMSIZ) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int ifindex_cb(const struct nlmsghdr *h, void *arg)
{
	if (h->nlmsg_type == RTM_NEWLINK) {
		const struct ifinfomsg *ifi = NLMSG_DATA(h);
		*(int *)arg = ifi->ifi_index;
	}
	return 0;
}

int rtnl_link_index(int fd, const char *name)
{
	if (ifname_ok(name) < 0)
		return -1;
	char buf[REQ_SIZE];
	struct nlreq r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	nl_init(&r, buf, sizeof buf);
	nl_msg(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof ifi);
	/* Only the link itself: no statistics, no VF list. */
	nl_attr_u32(&r, IFLA_EXT_MASK, 0);
	nl_attr_str(&r, IFLA_IFNAME, name);
	int index = 0;
	if (nl_talk(fd, &r, NULL, ifindex_cb, &index) < 0)
		return -1;
	if (index <= 0) {
		errno = ENODEV;
		return -1;
	}
	return index;
}

int rtnl_veth_create(int fd, const struct veth_req *v)
{
	if (ifname_ok(v->host) < 0 || ifname_ok(v->peer) < 0)
		return -1;
	char buf[REQ_SIZE];
	struct nlreq r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	nl_init(&r, buf, sizeof buf);
	nl_msg(&r, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
	nl_attr_str(&r, IFLA_IFNAME, v->host);
	if (v->mtu)
		nl_attr_u32(&r, IFLA_MTU, v->mtu);
	/* The kernel attaches a new link to its master before bringing it up. */
	nl_attr_u32(&r, IFLA_MASTER, (uint32_t)v->master);
	struct nlattr *info = nl_nest(&r, IFLA_LINKINFO);
	nl_attr_str(&r, IFLA_INFO_KIND, "veth");
	struct nlattr *data = nl_nest(&r, IFLA_INFO_DATA);
	struct nlattr *peer = nl_nest(&r, VETH_INFO_PEER);
	/* The peer's own ifinfomsg, then its attributes. */
	struct ifinfomsg pifi = { .ifi_family = AF_UNSPEC };
	nl_put(&r, &pifi, sizeof pifi);
	nl_attr_str(&r, IFLA_IFNAME, v->peer);
	nl_attr_u32(&r, IFLA_NET_NS_FD, (uint32_t)v->peer_netns);
	if (v->mtu)
		nl_attr_u32(&r, IFLA_MTU, v->mtu);
	if (v->mac)
		nl_attr(&r, IFLA_ADDRESS, v->mac, 6);
	nl_nest_end(&r, peer);
	nl_nest_end(&r, data);
	nl_nest_end(&r, info);
	return nl_talk(fd, &r, NULL, NULL, NULL);
}

int rtnl_brport_hairpin(int fd, const char *name, bool on)
{
	if (ifname_ok(name) < 0)
		return -1;
	char buf[REQ_SIZE];
	struct nlreq r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	nl_init(&r, buf, sizeof buf);
	nl_msg(&r, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof ifi);
	nl_attr_str(&r, IFLA_IFNAME, name);
	/* The port's options go to its master's driver (the bridge). */
	struct nlattr *info = nl_nest(&r, IFLA_LINKINFO);
	struct nlattr *sd = nl_nest(&r, IFLA_INFO_SLAVE_DATA);
	nl_attr_u8(&r, IFLA_BRPORT_MODE, on ? 1 : 0);
	nl_nest_end(&r, sd);
	nl_nest_end(&r, info);
	return nl_talk(fd, &r, NULL, NULL, NULL);
}

int rtnl_link_up(int fd, int index)
{
	char buf[REQ_SIZE];
	struct nlreq r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	nl_init(&r, buf, sizeof buf);
	nl_msg(&r, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof ifi);
	return nl_talk(fd, &r, NULL, NULL, NULL);
}

int rtnl_link_del(int fd, const char *name)
{
	if (ifname_ok(name) < 0)
		return -1;
	char buf[REQ_SIZE];
	struct nlreq r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	nl_init(&r, buf, sizeof buf);
	nl_msg(&r, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof ifi);
	nl_attr_str(&r, IFLA_IFNAME, name);
	return nl_talk(fd, &r, NULL, NULL, NULL);
}

int rtnl_bridge_create(int fd, const char *name, unsigned mtu)
{
	if (ifname_ok(name) < 0)
		return -1;
	char buf[REQ_SIZE];
	struct nlreq r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	nl_init(&r, buf, sizeof buf);
	nl_msg(&r, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
	nl_attr_str(&r, IFLA_IFNAME, name);
	if (mtu)
		nl_attr_u32(&r, IFLA_MTU, mtu);
	struct nlattr *info = nl_nest(&r, IFLA_LINKINFO);
	nl_attr_str(&r, IFLA_INFO_KIND, "bridge");
	nl_nest_end(&r, info);
	return nl_talk(fd, &r, NULL, NULL, NULL);
}

int rtnl_addr_add(int fd, int index, uint32_t ip, int prefix)
{
	char buf[REQ_SIZE];
	struct nlreq r;
	struct ifaddrmsg ifa = {
		.ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix, .ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = (unsigned)index,
	};
	nl_init(&r, buf, sizeof buf);
	nl_msg(&r, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
	nl_attr(&r, IFA_LOCAL, &ip, 4);
	nl_attr(&r, IFA_ADDRESS, &ip, 4);
	if (prefix < 31) {
		uint32_t mask = prefix ? htonl(~0u << (32 - prefix)) : 0;
		uint32_t bcast = ip | ~mask;
		nl_attr(&r, IFA_BROADCAST, &bcast, 4);
	}
	return nl_talk(fd, &r, NULL, NULL, NULL);
}

int rtnl_route_default(int fd, int index, uint32_t gw)
{
	char buf[REQ_SIZE];
	struct nlreq r;
	struct rtmsg rt = {
		.rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
		.rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST,
	};
	nl_init(&r, buf, sizeof buf);
	nl_msg(&r, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof rt);
	nl_attr(&r, RTA_GATEWAY, &gw, 4);
	nl_attr_u32(&r, RTA_OIF, (uint32_t)index);
	return nl_talk(fd, &r, NULL, NULL, NULL);
}

struct links_arg {
	void (*each)(const char *name, void *arg);
	void *arg;
};

static int links_cb(const struct nlmsghdr *h, void *arg)
{
	const struct links_arg *la = arg;
	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	const struct nlattr *tb[IFLA_IFNAME + 1];
	nl_parse(NL_ATTRS(h, sizeof(struct ifinfomsg)), NL_ATTRS_LEN(h, sizeof(struct ifinfomsg)), tb, IFLA_IFNAME);
	if (tb[IFLA_IFNAME] && nl_len(tb[IFLA_IFNAME]) > 0) {
		char name[IFNAMSIZ];
		snprintf(name, sizeof name, "%.*s", nl_len(tb[IFLA_IFNAME]), (const char *)nl_data(tb[IFLA_IFNAME]));
		la->each(name, la->arg);
	}
	return 0;
}

int rtnl_links(int fd, void (*each)(const char *name, void *arg), void *arg)
{
	char buf[REQ_SIZE];
	struct nlreq r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	nl_init(&r, buf, sizeof buf);
	nl_msg(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifi, sizeof ifi);
	nl_attr_u32(&r, IFLA_EXT_MASK, 0);
	struct links_arg la = { each, arg };
	return nl_talk(fd, &r, NULL, links_cb, &la);
}

int parse_cidr4(const char *s, uint32_t *ip, int *prefix)
{
	char a[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : 0;
	char *end;
	if (!slash || n == 0 || n >= sizeof a)
		goto bad;
	memcpy(a, s, n);
	a[n] = 0;
	if (inet_pton(AF_INET, a, ip) != 1 || slash[1] < '0' || slash[1] > '9')
		goto bad;
	long p = strtol(slash + 1, &end, 10);
	if (*end || p < 0 || p > 32)
		goto bad;
	*prefix = (int)p;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}
