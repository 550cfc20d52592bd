/* `hutch-monitor exec`: run one more command in a running container.
 *
 * Joins the init's namespaces in one setns() on its pidfd (an atomic switch,
 * and no pid reuse race), then forks so the child is inside the pid namespace.
 * The child joins the container's cgroups (through fds opened before the mount
 * namespace hid their paths), applies the process settings of config.json and
 * execs. The monitor waits, proxying a terminal when --tty, or copying pipes
 * (the command never gets one of the monitor's own fds: they came from outside
 * the container, see pump.h), and exits with the command's status. It stays
 * outside the container's cgroups itself, so its memory is not charged to the
 * container. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "proc.h"
#include "keyring.h"
#include "pty.h"
#include "pump.h"
#include "report.h"
#include "seccomp.h"
#include "serve.h"
#include "spec.h"
#include "util.h"
#include "verbs.h"

static int sync_fd = -1;

static void sync_line(const char *line)
{
	if (sync_fd >= 0)
		write_all(sync_fd, line, strlen(line)); /* EPIPE: the engine went away; fine */
}

/* 127: not found, 126: found but not executable, 125: anything else (the
 * exit codes of docker exec / podman exec). With a sync fd the engine gets
 * "error <step> <ERRNAME> <errno> <detail>" and says it in its own words;
 * without one, a line on stderr. */
__attribute__((noreturn)) static void fail(const char *step, int err, const char *detail)
{
	int code = 125;
	if (strcmp(step, "exec") == 0) {
		if (err == ENOENT)
			code = 127;
		else if (err == EACCES || err == ENOEXEC || err == EISDIR || err == EPERM)
			code = 126;
	}
	tty_restore_stdin();
	report_failure(sync_fd, "exec", step, err, detail);
	exit(code);
}

/* exec -u: "UID:GID[:GID,GID...]" (names were resolved by the engine in the
 * container's own /etc/passwd and /etc/group). */
static int parse_user(struct arena *a, const char *v, struct spec *s)
{
	char *end;
	errno = 0;
	unsigned long uid = strtoul(v, &end, 10);
	if (end == v || *end != ':' || errno || uid > UINT32_MAX - 1)
		return -1;
	const char *g = end + 1;
	unsigned long gid = strtoul(g, &end, 10);
	if (end == g || (*end && *end != ':') || errno || gid > UINT32_MAX - 1)
		return -1;
	s->uid = (uid_t)uid;
	s->gid = (gid_t)gid;
	s->ngids = 0;
	if (*end == ':' && end[1]) {
		size_t n = 1;
		for (const char *p = end + 1; *p; p++)
			n += *p == ',';
		s->gids = arena_alloc(a, n * sizeof *s->gids);
		if (!s->gids)
			return -1;
		for (const char *p = end + 1;;) {
			unsigned long x = strtoul(p, &end, 10);
			if (end == p || errno || x > UINT32_MAX - 1)
				return -1;
			s->gids[s->ngids++] = (gid_t)x;
			if (*end != ',')
				break;
			p = end + 1;
		}
		if (*end)
			return -1;
	}
	return 0;
}

static void write_oom(int v)
{
	char buf[16];
	int n = snprintf(buf, sizeof buf, "%d", v);
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, buf, (size_t)n) < 0)
		fail("oom_score_adj", errno, NULL);
	close(fd);
}

/* Copies what the command wrote on a pipe to our fd; a write error (our
 * reader went away) stops the copying, never the reading. 0 at EOF. */
static long copy_out(int in, int out, bool *werr)
{
	char buf[16384];
	ssize_t n = read(in, buf, sizeof buf);
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? -1 : 0;
	if (n > 0 && !*werr && write_all(out, buf, (size_t)n) < 0)
		*werr = true;
	return n;
}

/* After the command exited: what is still in a pipe, without waiting for an
 * EOF that a process it left running could delay forever. */
static void drain(int *fd, int out, bool *werr)
{
	if (*fd < 0)
		return;
	fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) | O_NONBLOCK);
	while (copy_out(*fd, out, werr) > 0)
		;
	close(*fd);
	*fd = -1;
}

/* --input-fd: what was typed before the command started (the dashboard read it
 * with the key that opened the shell) goes to it first, ahead of our stdin. At most
 * one read buffer's worth; the fd is closed after. */
static void send_input(int fd, int to)
{
	if (fd < 0)
		return;
	char buf[4096];
	ssize_t n;
	size_t len = 0;
	while (len < sizeof buf && ((n = read(fd, buf + len, sizeof buf - len)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	close(fd);
	if (to >= 0 && len > 0)
		write_all(to, buf, len);
}

int cmd_exec(const struct exec_opts *o)
{
	signal(SIGPIPE, SIG_IGN);
	sync_fd = o->sync_fd;
	if (o->detach && detach_from_caller() < 0)
		fail("fork", errno, NULL);
	/* Non-dumpable before entering anything of the container's
	 * (CVE-2016-9962, CVE-2019-5736). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	struct arena arena;
	struct spec spec;
	const char *what;
	if (spec_load(&arena, o->bundle, &spec, &what) < 0)
		fail("config", errno, what);
	/* exec'd processes get the container's filter too (docker does); the file
	 * is a host path, read before setns. --privileged: none, all capabilities
	 * (left as the monitor's, as runc leaves them without process.capabilities)
	 * and no AppArmor profile, as docker exec --privileged. */
	if (o->privileged) {
		spec.seccomp = NULL;
		spec.has_caps = false;
		spec.apparmor = NULL;
	}
	if (seccomp_read(&arena, &spec, &what) < 0)
		fail("seccomp", errno, what);
	if (o->user && parse_user(&arena, o->user, &spec) < 0)
		fail("user", EINVAL, o->user);

	char pid_s[24];
	snprintf(pid_s, sizeof pid_s, "%d", (int)o->pid);
	int pidfd = (int)syscall(SYS_pidfd_open, o->pid, 0);
	if (pidfd < 0)
		fail("pidfd_open", errno, pid_s);
	struct cgroup_set cg;
	const char *badcg;
	if (cgroup_set_open(o->cgroups, o->ncgroups, &cg, &badcg) < 0)
		fail("cgroup", errno, badcg);
	if (spec.has_oom)
		write_oom(spec.oom_score_adj);

	/* The command's stdio, made before setns (pipes are not of any mount
	 * namespace): with --tty the pty below; else pipes we copy to our own
	 * stdio, and for stdin a pipe with --stdin, /dev/null without. A detached
	 * monitor's own stdio is /dev/null. */
	bool use_stdin = o->use_stdin && !o->detach;
	int inp[2] = { -1, -1 }, outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	if (!o->tty && (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
			(use_stdin && pipe2(inp, O_CLOEXEC) < 0)))
		fail("pipe", errno, NULL);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		fail("stdio", errno, NULL);

	/* --serve: the socket is a host path, bound before the mount namespace changes. */
	if (o->serve && serve_listen(o->serve) < 0)
		fail("serve", errno, o->serve);

	if (setns(pidfd, spec.ns_flags) < 0)
		fail("setns", errno, pid_s);

	int master = -1, slave = -1;
	if (o->tty) {
		/* our root is now the container's: its /dev/pts/ptmx */
		int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0 || (master = pty_alloc(root, &slave)) < 0)
			fail("console", errno, NULL);
		close(root);
		tty_copy_winsize(master);
	}
	int c_in = slave >= 0 ? slave : inp[0] >= 0 ? inp[0] : null;
	int c_out = slave >= 0 ? slave : outp[1] >= 0 ? outp[1] : null;
	int c_err = slave >= 0 ? slave : errp[1] >= 0 ? errp[1] : null;

	int sigfd = monitor_signalfd(0);
	int sv[2];
	if (sigfd < 0)
		fail("signalfd", errno, NULL);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		fail("socketpair", errno, NULL);

	pid_t pid = cgroup_clone(&cg, 0, NULL);
	if (pid < 0)
		fail("fork", errno, NULL);
	if (pid == 0) {
		proc_child_start(&cg, sv[1]);
		/* copies above 2 first, so no dup2 below clobbers a source */
		int fds[3] = { c_in, c_out, c_err };
		for (int i = 0; i < 3; i++)
			if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
				child_fail("stdio", errno);
		for (int i = 0; i < 3; i++)
			if (dup2(fds[i], i) < 0)
				child_fail("stdio", errno);
		if (slave >= 0 && ioctl(0, TIOCSCTTY, 0) < 0)
			child_fail("console", errno);
		if (!o->no_new_keyring && keyring_new_session() < 0)
			child_fail("keyring", errno);
		struct proc_opts po = { .env = o->env, .nenv = o->nenv, .cwd = o->cwd, .argv = o->argv };
		proc_exec(&spec, &po);
	}

	arena_release(&arena);
	cgroup_set_close(&cg);
	close(sv[1]);
	close(null);
	if (slave >= 0)
		close(slave);
	if (!o->tty) {
		close(outp[1]);
		close(errp[1]);
		if (inp[0] >= 0)
			close(inp[0]);
	}
	struct report rep;
	int r = report_until_exec(sv[0], &rep);
	if (r != 0) {
		int e = errno;
		if (r < 0)
			kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (r < 0)
			fail("report", e, NULL);
		fail(rep.step, rep.err, rep.detail);
	}
	close(sv[0]);
	char line[64];
	snprintf(line, sizeof line, "pid %d %d\n", (int)pid, (int)getpid());
	sync_line(line);

	send_input(o->input_fd, master >= 0 ? master : inp[1]);

	int in = -1;
	if (o->tty && use_stdin) {
		in = 0;
		tty_raw_stdin();
	}
	static struct inpump stdin_p;
	inpump_init(&stdin_p, inp[1] >= 0 ? 0 : -1, inp[1]);
	int out_r = outp[0], err_r = errp[0];
	bool werr_out = false, werr_err = false, werr_in = false;
	int status = o->serve ? serve_run(&master, pid, sigfd) : -1;
	while (status < 0) {
		struct pollfd pfd[7] = {
			{ sigfd, POLLIN, 0 }, { master, POLLIN, 0 }, { in, POLLIN, 0 },
			{ out_r, POLLIN, 0 }, { err_r, POLLIN, 0 },
		};
		inpump_poll(&stdin_p, &pfd[5], &pfd[6]);
		if (poll(pfd, 7, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof si) == sizeof si) {
				int sig = (int)si.ssi_signo;
				if (sig == SIGCHLD) {
					int st;
					if (waitpid(pid, &st, WNOHANG) == pid)
						status = exit_code(st);
				} else if (sig == SIGWINCH) {
					if (master >= 0)
						tty_copy_winsize(master);
				} else {
					kill(pid, sig); /* sig-proxy: the child is not in our session */
				}
			}
		}
		bool werr = false;
		if (pfd[1].revents && tty_pump(master, 1, &werr) == 0) {
			close(master);
			master = -1;
		}
		if (pfd[2].revents) {
			long n = tty_pump(0, master, &werr_in);
			if (n == 0 && isatty(0))
				kill(pid, SIGHUP); /* raw mode has no EOF key: the terminal hung up */
			if (n == 0 || werr_in)
				in = -1;
		}
		if (pfd[3].revents && copy_out(out_r, 1, &werr_out) == 0) {
			close(out_r);
			out_r = -1;
		}
		if (pfd[4].revents && copy_out(err_r, 2, &werr_err) == 0) {
			close(err_r);
			err_r = -1;
		}
		if (pfd[5].revents || pfd[6].revents)
			inpump_step(&stdin_p, pfd[5].revents, pfd[6].revents);
	}
	inpump_close(&stdin_p);
	if (master >= 0) {
		/* what the command wrote just before exiting */
		bool werr = false;
		fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
		while (tty_pump(master, 1, &werr) > 0)
			;
	}
	drain(&out_r, 1, &werr_out);
	drain(&err_r, 2, &werr_err);
	tty_restore_stdin();
	if (status < 0)
		status = 255;
	snprintf(line, sizeof line, "exit %d\n", status);
	sync_line(line);
	return status;
}
