/* See net.h: the annotations and the child's side (interfaces). */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "../common/netlink.h"
#include "../common/rtnl.h"
#include "ns.h"
#include "report.h"
#include "util.h"

static int bad_field(const char **step, char *detail, size_t len, const char *field, const char *at)
{
	*step = "config";
	snprintf(detail, len, "%s (%s)", field, at);
	errno = EINVAL;
	return -1;
}

static int copy_name(char dst[IFNAMSIZ], const char *v, size_t n)
{
	if (n == 0 || n >= IFNAMSIZ || memchr(v, '/', n) || memchr(v, ' ', n) || memchr(v, ':', n))
		return -1;
	memcpy(dst, v, n);
	dst[n] = 0;
	return 0;
}

/* One interface: "bridge=…,veth=…,ifname=…,address=…,gateway=…,mac=…,mtu=…". */
static int parse_if(const char *s, size_t len, struct netif *f)
{
	char val[64];
	bool have_bridge = false, have_veth = false, have_addr = false;
	memset(f, 0, sizeof *f);
	strcpy(f->ifname, "eth0");
	while (len > 0) {
		const char *comma = memchr(s, ',', len);
		size_t n = comma ? (size_t)(comma - s) : len;
		const char *eq = memchr(s, '=', n);
		if (!eq)
			return -1;
		size_t kl = (size_t)(eq - s), vl = n - kl - 1;
		const char *v = eq + 1;
		if (vl >= sizeof val)
			return -1;
		memcpy(val, v, vl);
		val[vl] = 0;
#define KEY(k) (kl == strlen(k) && memcmp(s, k, kl) == 0)
		if (KEY("bridge")) {
			if (copy_name(f->bridge, v, vl) < 0)
				return -1;
			have_bridge = true;
		} else if (KEY("veth")) {
			if (copy_name(f->veth, v, vl) < 0)
				return -1;
			have_veth = true;
		} else if (KEY("ifname")) {
			if (copy_name(f->ifname, v, vl) < 0)
				return -1;
		} else if (KEY("address")) {
			if (parse_cidr4(val, &f->addr, &f->prefix) < 0 || vl >= sizeof f->addr_text)
				return -1;
			memcpy(f->addr_text, val, vl + 1);
			have_addr = true;
		} else if (KEY("gateway")) {
			if (vl >= sizeof f->gw_text || inet_pton(AF_INET, val, &f->gw) != 1)
				return -1;
			memcpy(f->gw_text, val, vl + 1);
			f->has_gw = true;
		} else if (KEY("mac")) {
			if (parse_mac(val, f->mac) < 0)
				return -1;
			f->has_mac = true;
		} else if (KEY("mtu")) {
			unsigned long long m;
			if (parse_uint(val, 65535, &m) < 0 || m < 68)
				return -1;
			f->mtu = (unsigned)m;
		} else {
			return -1; /* an unknown key may be a setting we would silently drop */
		}
#undef KEY
		s += n + (comma ? 1 : 0);
		len -= n + (comma ? 1 : 0);
	}
	return have_bridge && have_veth && have_addr ? 0 : -1;
}

int net_parse(const struct spec *s, struct netplan *p, const char **step, char *detail, size_t len)
{
	memset(p, 0, sizeof *p);
	p->netns_fd = p->rtnl = p->nft = -1;
	snprintf(p->table, sizeof p->table, "%s", s->nft_table && *s->nft_table ? s->nft_table : "hutch");
	if (s->nft_table && (strlen(s->nft_table) >= sizeof p->table || strpbrk(s->nft_table, " \t\n")))
		return bad_field(step, detail, len, "run.hutch.nft.table", s->nft_table);
	/* Interfaces belong to the namespace's owner: a joined one has its own. */
	const char *nets = s->netns_path ? NULL : s->networks;
	for (const char *at = nets; at && *at;) {
		const char *semi = strchr(at, ';');
		size_t n = semi ? (size_t)(semi - at) : strlen(at);
		if (p->nifs == NET_MAX_IFS)
			return bad_field(step, detail, len, "run.hutch.networks", "too many interfaces");
		if (parse_if(at, n, &p->ifs[p->nifs]) < 0) {
			char one[128];
			snprintf(one, sizeof one, "%.*s", (int)n, at);
			return bad_field(step, detail, len, "run.hutch.networks", one);
		}
		p->nifs++;
		at += n + (semi ? 1 : 0);
	}
	if (p->nifs && !(s->ns_flags & CLONE_NEWNET))
		return bad_field(step, detail, len, "run.hutch.networks", "needs a network namespace");
	if (s->ports && *s->ports) {
		size_t off = 0;
		if (!p->nifs)
			return bad_field(step, detail, len, "run.hutch.ports", "needs an interface of the container's own");
		if (pubports_parse(s->ports, &p->ports, &p->nports, &off) < 0) {
			if (errno != EINVAL) {
				*step = "config";
				snprintf(detail, len, "run.hutch.ports");
				return -1;
			}
			return bad_field(step, detail, len, "run.hutch.ports", s->ports + off);
		}
		p->ctr_ip = p->ifs[0].addr;
	}
	return 0;
}

void net_join(const struct netplan *p)
{
	if (p->netns_fd >= 0 && setns(p->netns_fd, CLONE_NEWNET) < 0)
		child_fail("netns", errno);
}

/* Deletes the host ends created so far, then reports. */
__attribute__((noreturn, format(printf, 4, 5))) static void net_fail(const struct netplan *p, size_t created, int err,
								      const char *fmt, ...)
{
	char d[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d, sizeof d, fmt, ap);
	va_end(ap);
	/* Synchronous, unlike the kernel's own cleanup of a dead namespace,
	 * which runs later from a workqueue: a retry may reuse the name at once. */
	for (size_t i = 0; i < created; i++)
		rtnl_link_del(p->rtnl, p->ifs[i].veth);
	child_failf("net", err, "%s", d);
}

/* The pair of interface i, its host end on the bridge: 0, or -1 with errno
 * and *what. */
static int make_pair(const struct netplan *p, size_t i, int peer_ns, const char **what)
{
	const struct netif *f = &p->ifs[i];
	int br = rtnl_link_index(p->rtnl, f->bridge);
	*what = f->bridge;
	if (br < 0)
		return -1;
	struct veth_req v = {
		.host = f->veth, .peer = f->ifname, .peer_netns = peer_ns, .master = br, .mtu = f->mtu,
		.mac = f->has_mac ? f->mac : NULL,
	};
	*what = f->veth;
	if (rtnl_veth_create(p->rtnl, &v) < 0)
		return -1;
	if (rtnl_brport_hairpin(p->rtnl, f->veth, true) < 0) {
		int e = errno;
		rtnl_link_del(p->rtnl, f->veth);
		errno = e;
		return -1;
	}
	return 0;
}

int net_make_links(const struct netplan *p, pid_t pid, char *what, size_t len)
{
	if (!p->nifs)
		return 0;
	char path[64];
	const char *w = path;
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
	int ns = open(path, O_RDONLY | O_CLOEXEC);
	size_t i = 0;
	for (; ns >= 0 && i < p->nifs; i++)
		if (make_pair(p, i, ns, &w) < 0)
			break;
	int e = errno;
	if (ns >= 0)
		close(ns);
	if (ns >= 0 && i == p->nifs)
		return 0;
	for (size_t j = 0; j < i; j++)
		rtnl_link_del(p->rtnl, p->ifs[j].veth);
	snprintf(what, len, "veth %s", w);
	errno = e;
	return -1;
}

static void setup_if(const struct netplan *p, size_t i, int self_ns, int in, bool *routed, bool made)
{
	const struct netif *f = &p->ifs[i];
	const char *what;
	/* In a user namespace the monitor made the pair (net_make_links): the
	 * host's namespace is not ours to add links to. */
	if (!made && make_pair(p, i, self_ns, &what) < 0)
		net_fail(p, i, errno, "%s %s", what == f->bridge ? "bridge" : "veth", what);
	int idx = rtnl_link_index(in, f->ifname);
	if (idx < 0)
		net_fail(p, i + 1, errno, "link %s", f->ifname);
	if (rtnl_addr_add(in, idx, f->addr, f->prefix) < 0)
		net_fail(p, i + 1, errno, "address %s %s", f->addr_text, f->ifname);
	if (rtnl_link_up(in, idx) < 0)
		net_fail(p, i + 1, errno, "link %s", f->ifname);
	/* One default route: the first interface with a gateway has it. */
	if (f->has_gw && !*routed) {
		if (rtnl_route_default(in, idx, f->gw) < 0)
			net_fail(p, i + 1, errno, "route default via %s %s", f->gw_text, f->ifname);
		*routed = true;
	}
}

void net_setup(const struct spec *s, const struct netplan *p)
{
	/* The reserved ports and the nft socket are the monitor's; CLOEXEC
	 * would close them at execve, but nothing of the container needs them
	 * even until then. */
	for (size_t i = 0; i < p->nports; i++)
		if (p->port_fds && p->port_fds[i] >= 0)
			close(p->port_fds[i]);
	if (p->nft >= 0)
		close(p->nft);
	if (!(s->ns_flags & CLONE_NEWNET) || p->netns_fd >= 0)
		return; /* the host's namespace, or one that is set up already */
	if (ns_loopback_up() < 0)
		child_failf("loopback", errno, "lo");
	if (!p->nifs)
		return;
	/* /proc is still the host's: this is our own new namespace. */
	int self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self_ns < 0)
		net_fail(p, 0, errno, "netns /proc/self/ns/net");
	int in = nl_open(NETLINK_ROUTE);
	if (in < 0)
		net_fail(p, 0, errno, "netlink route");
	bool routed = false;
	for (size_t i = 0; i < p->nifs; i++)
		setup_if(p, i, self_ns, in, &routed, s->ns_flags & CLONE_NEWUSER);
	close(in);
	close(self_ns);
	close(p->rtnl);
}

/* RTM_DELLINK unlists the name at once, then holds the rtnl lock ~1-2 ms
 * (15 ms for its sender, more under load) while the kernel waits out RCU
 * grace periods. So a helper process deletes, and we only wait until the
 * names are unlisted, asking with SIOCGIFINDEX (an RCU lookup, no rtnl
 * lock): a restart that reuses a name finds it free (its RTM_NEWLINK may
 * queue behind the rtnl lock, but does not fail). */
void net_remove_links_start(const struct netplan *p)
{
	if (!p->nifs)
		return;
	pid_t h = fork();
	if (h == 0) {
		/* Nothing of the monitor's: the engine reads our sync pipe to EOF. */
		close_range(0, ~0U, 0);
		int fd = nl_open(NETLINK_ROUTE);
		for (size_t i = 0; fd >= 0 && i < p->nifs; i++)
			rtnl_link_del(fd, p->ifs[i].veth);
		_exit(0);
	}
	if (h < 0) {
		/* No helper: delete them ourselves. ENODEV: the kernel was
		 * first; another error leaves the pair to the kernel. */
		int fd = nl_open(NETLINK_ROUTE);
		for (size_t i = 0; fd >= 0 && i < p->nifs; i++)
			rtnl_link_del(fd, p->ifs[i].veth);
		if (fd >= 0)
			close(fd);
	}
}

void net_remove_links_wait(const struct netplan *p)
{
	if (!p->nifs)
		return;
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	for (size_t i = 0; i < p->nifs; i++) {
		struct ifreq ifr;
		memset(&ifr, 0, sizeof ifr);
		memcpy(ifr.ifr_name, p->ifs[i].veth, sizeof p->ifs[i].veth);
		/* At most ~100 ms; then the kernel's own cleanup will do. */
		for (int t = 0; t < 2000 && ioctl(s, SIOCGIFINDEX, &ifr) == 0; t++)
			usleep(50);
	}
	close(s);
}

bool net_links_made(const struct netplan *p, const char *step)
{
	/* container_init's steps up to and including the network (init.c). */
	static const char *const before[] = {
		"netns", "stdio", "setsid", "bundle", "cgroup", "cgroupns", "oom_score_adj", "sethostname", "loopback", "net",
	};
	if (!p->nifs)
		return false;
	for (size_t i = 0; i < sizeof before / sizeof *before; i++)
		if (strcmp(step, before[i]) == 0)
			return false;
	return true;
}
