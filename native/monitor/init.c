/* See init.h. Order (PROTOCOL.md): stdio -> cgroups -> oom_score_adj ->
 * hostname -> network (lo, interfaces, DNS sockets) -> filesystem (mounts.c) -> console as stdio -> process
 * (proc.c). The monitor made us non-dumpable before clone(), so nothing in the
 * container can ptrace us or open our /proc files while we still hold host
 * fds; execve() makes the command dumpable again. */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup.h"
#include "dns.h"
#include "keyring.h"
#include "mounts.h"
#include "net.h"
#include "proc.h"
#include "report.h"
#include "userns.h"
#include "util.h"

/* fds 0-2 become the monitor's pipes: never an fd of the monitor's own stdio,
 * which came from outside the container (pump.h). A stdin without a pipe is
 * the container's own /dev/null, opened after pivot_root (null_stdin). */
static void setup_stdio(const struct init_args *a)
{
	int out = fd_above_stdio(a->out_w), err = fd_above_stdio(a->err_w);
	int in = a->in_r >= 0 ? fd_above_stdio(a->in_r) : -1;
	if (out < 0 || err < 0 || (a->in_r >= 0 && in < 0))
		child_fail("stdio", errno);
	if ((in >= 0 && dup2(in, 0) < 0) || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		child_fail("stdio", errno);
}

/* Inside the new root: a /dev/null of the host's, opened before pivot_root,
 * would be an fd from outside (it reads back as "/null"). */
static void null_stdin(void)
{
	struct stat st;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0)
		child_failf("stdio", errno, "/dev/null");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		child_failf("stdio", EPERM, "/dev/null (not the null device)");
	if (dup2(fd, 0) < 0)
		child_failf("stdio", errno, "/dev/null");
	close(fd);
}

static void write_oom(int v)
{
	char buf[16];
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	int n = snprintf(buf, sizeof buf, "%d", v);
	if (fd < 0 || write_all(fd, buf, (size_t)n) < 0)
		child_failf("oom_score_adj", errno, "%d", v);
	close(fd);
}

/* The command, looked up as execve will (proc.c) but only for existence: a
 * missing one fails `create`, as runc's does, not the later `start`. */
static void check_command(const struct spec *s)
{
	const char *f = s->args[0], *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	if (strchr(f, '/')) {
		if (f[0] == '/' && access(f, X_OK) < 0) /* a relative one is relative to process.cwd */
			child_failf("exec", errno, "%s", f);
		return;
	}
	for (char **e = s->env; e && *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	char buf[4096];
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		if (snprintf(buf, sizeof buf, "%.*s%s%s", (int)n, p, n ? "/" : "", f) < (int)sizeof buf && access(buf, X_OK) == 0)
			return;
		p += n + (p[n] == ':');
	}
	child_failf("exec", ENOENT, "%s: executable file not found in $PATH", f);
}

/* hutch-runc: the caller runs the prestart and createRuntime hooks now, with
 * our mounts made and pivot_root still to come (init.h). */
static const struct init_args *hooks_args;
static char hooks_state[65536];

static void hooks_barrier(void)
{
	if (report_send_kind_fd(REPORT_HOOKS, -1) < 0)
		child_fail("hooks", errno);
	ssize_t n = read(report_fd, hooks_state, sizeof hooks_state - 1);
	if (n <= 0)
		_exit(1); /* the caller failed or went away: it reports */
	hooks_state[n] = 0;
	if (hooks_args->container_hooks)
		hooks_args->container_hooks(hooks_args->s, "createContainer", hooks_state);
}

/* hutch-runc: parked until `start` (init.h). The fifo is reopened through
 * /proc/self/fd: its path is the host's, outside our root now. */
static void park(const struct init_args *a)
{
	check_command(a->s);
	/* create exits once we are parked: from now on we are the caller's. */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (report_send_kind_fd(REPORT_PARKED, -1) < 0)
		child_fail("park", errno);
	char p[32];
	snprintf(p, sizeof p, "/proc/self/fd/%d", a->exec_fifo);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, "0", 1) < 0)
		child_failf("exec.fifo", errno, "%s", p);
	close(fd);
	close(a->exec_fifo);
}

void container_init(const struct init_args *a)
{
	const struct spec *s = a->s;
	report_fd = a->report;
	/* If the monitor dies while we set up, so do we: nobody would report or
	 * reap. Cleared just before execve (proc.c). */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* In a user namespace we are nobody until the monitor writes our maps,
	 * and our rootfs and binds are its idmapped mounts (userns.h). */
	int root_tree = -1, *trees = NULL;
	if (s->ns_flags & CLONE_NEWUSER)
		userns_wait(a->report, s, &root_tree, &trees);
	/* --network container:NAME: in that namespace before anything else. */
	net_join(a->net);
	/* Modes of the nodes and directories we create are exactly those given;
	 * the command's umask is set in proc.c. */
	umask(0);

	if (!s->terminal && !a->inherit_stdio)
		setup_stdio(a);
	/* A session of its own: no controlling terminal shared with the user's
	 * shell, so no TIOCSTI into it (CVE-2017-5226). */
	if (setsid() < 0)
		child_fail("setsid", errno);
	/* Relative bind sources are relative to the bundle. */
	if (chdir(a->o->bundle) < 0)
		child_failf("bundle", errno, "%s", a->o->bundle);

	const char *badcg;
	if (cgroup_set_join(a->cg, &badcg) < 0)
		child_failf("cgroup", errno, "%s", badcg);
	/* A cgroup namespace is created after joining, so that its root is the
	 * container's own cgroup. */
	if ((s->ns_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		child_fail("cgroupns", errno);
	/* In a user namespace a negative value needs CAP_SYS_RESOURCE of the
	 * host's: the monitor wrote it (run.c) before letting us go. */
	if (s->has_oom && !(s->ns_flags & CLONE_NEWUSER))
		write_oom(s->oom_score_adj);
	if ((s->ns_flags & CLONE_NEWUTS) && s->hostname && *s->hostname &&
	    sethostname(s->hostname, strlen(s->hostname)) < 0)
		child_failf("sethostname", errno, "%s", s->hostname);
	net_setup(s, a->net);
	dns_child_open();

	struct rootfs_opts ro = {
		.cgroups = a->o->cgroups,
		.ncgroups = a->o->ncgroups,
		.ws = a->have_ws ? &a->ws : NULL,
		.root_tree = root_tree,
		.trees = trees,
		.before_pivot = a->hooks ? hooks_barrier : NULL,
	};
	hooks_args = a;
	int slave = rootfs_setup(s, &ro);
	if (!s->terminal && a->in_r < 0 && !a->inherit_stdio)
		null_stdin();
	if (slave >= 0) {
		if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0 || ioctl(0, TIOCSCTTY, 0) < 0)
			child_fail("console", errno);
		close(slave);
	}
	if (!a->o->no_new_keyring && keyring_new_session() < 0)
		child_fail("keyring", errno);
	/* The init dies with its monitor (kept across execve, proc.h): nobody
	 * would record its exit or stop it otherwise. */
	struct proc_opts po = { .keep_pdeathsig = !a->park, .keep_fds = a->preserve_fds };
	if (a->park)
		park(a);
	if (a->hooks && a->container_hooks)
		a->container_hooks(s, "startContainer", hooks_state);
	proc_exec(s, &po);
}
