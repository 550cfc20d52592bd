/* `hutch-monitor net-attach` / `net-detach`: one more interface for a running
 * container (`hutch network connect`), or one fewer (PROTOCOL.md, "net-attach").
 *
 * The interface is made as `run` makes the first one (net.c): a veth pair whose
 * host end joins a bridge with hairpin mode and whose peer is created directly
 * in the container's network namespace, then the address, up and maybe a
 * default route from inside. No process stays: the pair lives as long as the
 * container's namespace, or until net-detach deletes its host end.
 *
 * The namespace is entered with setns() on a pidfd (this program has a single
 * thread, so it may), which cannot hit a recycled pid; the host's netlink
 * socket is opened before, and keeps acting in the host's namespace after. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/netlink.h"
#include "../common/rtnl.h"
#include "net.h"
#include "report.h"
#include "spec.h"
#include "util.h"
#include "verbs.h"

struct attach_ctx {
	const char *verb;
	int sync_fd;
	int host;           /* NETLINK_ROUTE of the host's namespace */
	const char *made;   /* host end we created: deleted on failure */
};

__attribute__((noreturn, format(printf, 4, 5))) static void fail(struct attach_ctx *c, const char *step, int err,
								 const char *fmt, ...)
{
	char d[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d, sizeof d, fmt, ap);
	va_end(ap);
	/* Synchronous, so that nothing is half-made when the engine reads the
	 * error, and a retry may reuse the name at once. Deleting the host end
	 * takes the peer in the container with it. */
	if (c->made)
		rtnl_link_del(c->host, c->made);
	report_failure(c->sync_fd, c->verb, step, err ? err : EIO, d);
	_exit(1);
}

/* Enters pid's network namespace and returns an fd of it. The host socket
 * must be open already. Refuses our own namespace: a container that shares
 * the host's network (or a pid of the host) has no interfaces of its own. */
static int enter_netns(struct attach_ctx *c, pid_t pid)
{
	struct stat ours, theirs;
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || fstat(self, &ours) < 0)
		fail(c, "netns", errno, "/proc/self/ns/net");
	close(self);
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		fail(c, "pid", errno, "%d", (int)pid);
	/* Non-dumpable before entering anything of the container's, as exec. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* A zombie has no namespaces left: ESRCH, the same as no process. */
	if (setns(pidfd, CLONE_NEWNET) < 0)
		fail(c, errno == ESRCH ? "pid" : "netns", errno, "%d", (int)pid);
	close(pidfd);
	/* /proc/self/ns follows the task's namespaces, not /proc's mount. */
	int ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns < 0 || fstat(ns, &theirs) < 0)
		fail(c, "netns", errno, "/proc/self/ns/net of %d", (int)pid);
	if (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino)
		fail(c, "netns", EINVAL, "%d (the caller's own network namespace)", (int)pid);
	return ns;
}

static void done(int sync_fd)
{
	if (sync_fd >= 0)
		write_str(sync_fd, "ok\n"); /* EPIPE: the engine went away; fine */
}

int cmd_net_attach(const struct net_opts *o)
{
	struct attach_ctx c = { .verb = "net-attach", .sync_fd = o->sync_fd, .host = -1 };
	signal(SIGPIPE, SIG_IGN);

	/* The spec is one interface of run.hutch.networks: its own parser, so
	 * the two cannot drift apart. */
	struct spec s = { .networks = o->network, .ns_flags = CLONE_NEWNET };
	struct netplan p;
	const char *step;
	char detail[200];
	if (net_parse(&s, &p, &step, detail, sizeof detail) < 0 || p.nifs != 1)
		fail(&c, "args", EINVAL, "--network %s", o->network);
	const struct netif *f = &p.ifs[0];

	if ((c.host = nl_open(NETLINK_ROUTE)) < 0)
		fail(&c, "net", errno, "netlink route");
	int ns = enter_netns(&c, o->pid);
	int in = nl_open(NETLINK_ROUTE);
	if (in < 0)
		fail(&c, "net", errno, "netlink route in %d", (int)o->pid);

	int br = rtnl_link_index(c.host, f->bridge);
	if (br < 0)
		fail(&c, "net", errno, "bridge %s", f->bridge);
	struct veth_req v = {
		.host = f->veth, .peer = f->ifname, .peer_netns = ns, .master = br, .mtu = f->mtu,
		.mac = f->has_mac ? f->mac : NULL,
	};
	if (rtnl_veth_create(c.host, &v) < 0) {
		int e = errno;
		/* Either end's name may be taken; the kernel says EEXIST for
		 * both. Which one is asked only now, on the failure path. A
		 * taken name belongs to someone else: it is left alone. */
		if (e == EEXIST && rtnl_link_index(c.host, f->veth) < 0 && rtnl_link_index(in, f->ifname) > 0)
			fail(&c, "net", e, "link %s", f->ifname);
		fail(&c, "net", e, "veth %s", f->veth);
	}
	c.made = f->veth;
	if (rtnl_brport_hairpin(c.host, f->veth, true) < 0)
		fail(&c, "net", errno, "hairpin %s", f->veth);
	int idx = rtnl_link_index(in, f->ifname);
	if (idx < 0)
		fail(&c, "net", errno, "link %s", f->ifname);
	if (rtnl_addr_add(in, idx, f->addr, f->prefix) < 0)
		fail(&c, "net", errno, "address %s %s", f->addr_text, f->ifname);
	if (rtnl_link_up(in, idx) < 0)
		fail(&c, "net", errno, "link %s", f->ifname);
	/* "Unless the container has one": NLM_F_EXCL makes the kernel tell,
	 * atomically, whether a default route (of the main table, metric 0,
	 * what run makes) exists; then it stays as it is. */
	if (f->has_gw && rtnl_route_default(in, idx, f->gw) < 0 && errno != EEXIST)
		fail(&c, "net", errno, "route default via %s %s", f->gw_text, f->ifname);
	done(o->sync_fd);
	return 0;
}

/* What net-detach needs of the host end: is it a veth, and where is its peer. */
struct hostend {
	bool found, veth;
	int index;
	int peer_nsid;      /* IFLA_LINK_NETNSID: -1 when the peer is in our namespace */
};

static int hostend_cb(const struct nlmsghdr *h, void *arg)
{
	struct hostend *he = arg;
	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	const struct nlattr *tb[IFLA_LINK_NETNSID + 1], *info[IFLA_INFO_KIND + 1];
	nl_parse(NL_ATTRS(h, sizeof(struct ifinfomsg)), NL_ATTRS_LEN(h, sizeof(struct ifinfomsg)), tb, IFLA_LINK_NETNSID);
	he->found = true;
	he->index = ((const struct ifinfomsg *)NLMSG_DATA(h))->ifi_index;
	if (tb[IFLA_LINKINFO]) {
		nl_parse(nl_data(tb[IFLA_LINKINFO]), nl_len(tb[IFLA_LINKINFO]), info, IFLA_INFO_KIND);
		he->veth = info[IFLA_INFO_KIND] && nl_len(info[IFLA_INFO_KIND]) >= 4 &&
			   memcmp(nl_data(info[IFLA_INFO_KIND]), "veth", 4) == 0 &&
			   (nl_len(info[IFLA_INFO_KIND]) == 4 || ((const char *)nl_data(info[IFLA_INFO_KIND]))[4] == 0);
	}
	if (tb[IFLA_LINK_NETNSID] && nl_len(tb[IFLA_LINK_NETNSID]) == 4)
		memcpy(&he->peer_nsid, nl_data(tb[IFLA_LINK_NETNSID]), 4);
	return 0;
}

static int hostend_get(int fd, const char *name, struct hostend *he)
{
	char buf[512];
	struct nlreq r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	*he = (struct hostend){ .peer_nsid = -1 };
	nl_init(&r, buf, sizeof buf);
	nl_msg(&r, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof ifi);
	nl_attr_u32(&r, IFLA_EXT_MASK, 0);
	nl_attr_str(&r, IFLA_IFNAME, name);
	if (nl_talk(fd, &r, NULL, hostend_cb, he) < 0)
		return -1;
	if (!he->found) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

static int nsid_cb(const struct nlmsghdr *h, void *arg)
{
	if (h->nlmsg_type != RTM_NEWNSID)
		return 0;
	const struct nlattr *tb[NETNSA_NSID + 1];
	nl_parse(NL_ATTRS(h, sizeof(struct rtgenmsg)), NL_ATTRS_LEN(h, sizeof(struct rtgenmsg)), tb, NETNSA_NSID);
	if (tb[NETNSA_NSID] && nl_len(tb[NETNSA_NSID]) == 4)
		memcpy(arg, nl_data(tb[NETNSA_NSID]), 4);
	return 0;
}

/* By index, the one that was checked: a link of the same name made in
 * between (the pair gone, the name reused) is another link; indexes are
 * not reused so soon. */
static int link_del_index(int fd, int index)
{
	char buf[128];
	struct nlreq r;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = index };
	nl_init(&r, buf, sizeof buf);
	nl_msg(&r, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof ifi);
	return nl_talk(fd, &r, NULL, NULL, NULL);
}

/* The id fd's namespace has in the namespace of the socket; -1 when none
 * was assigned (then no link of ours has its peer there). */
static int nsid_of(int sock, int nsfd, int *id)
{
	char buf[256];
	struct nlreq r;
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	*id = -1;
	nl_init(&r, buf, sizeof buf);
	nl_msg(&r, RTM_GETNSID, NLM_F_REQUEST | NLM_F_ACK, &g, sizeof g);
	nl_attr_u32(&r, NETNSA_FD, (uint32_t)nsfd);
	return nl_talk(sock, &r, NULL, nsid_cb, id);
}

int cmd_net_detach(const struct net_opts *o)
{
	struct attach_ctx c = { .verb = "net-detach", .sync_fd = o->sync_fd, .host = -1 };
	signal(SIGPIPE, SIG_IGN);
	if ((c.host = nl_open(NETLINK_ROUTE)) < 0)
		fail(&c, "net", errno, "netlink route");
	int ns = enter_netns(&c, o->pid);

	/* The host end first: reporting it asks the kernel for the id of its
	 * peer's namespace (allocated then if it had none), which the
	 * container's namespace must then have. Ids are exact where ifindexes
	 * of different namespaces may coincide. */
	struct hostend he;
	if (hostend_get(c.host, o->veth, &he) < 0)
		fail(&c, "net", errno, "veth %s", o->veth);
	if (!he.veth)
		fail(&c, "net", EINVAL, "veth %s (not a veth)", o->veth);
	int id;
	if (nsid_of(c.host, ns, &id) < 0)
		fail(&c, "net", errno, "netnsid of %d", (int)o->pid);
	if (he.peer_nsid < 0 || id != he.peer_nsid)
		fail(&c, "net", EINVAL, "veth %s (its peer is not in the network namespace of %d)", o->veth, (int)o->pid);
	/* Synchronous (~15 ms of RCU waits in the kernel): a user's command,
	 * and a name reused right after must be free. */
	if (link_del_index(c.host, he.index) < 0)
		fail(&c, "net", errno, "veth %s", o->veth);
	done(o->sync_fd);
	return 0;
}
