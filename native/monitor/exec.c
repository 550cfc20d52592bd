/* `hutch-monitor exec`: run one more command in a running container.
 *
 * Joins the init's namespaces in one setns() on its pidfd (an atomic switch,
 * and no pid reuse race), then forks so the child is inside the pid namespace.
 * The child joins the container's cgroups (through fds opened before the mount
 * namespace hid their paths), applies the process settings of config.json and
 * execs. The monitor waits, proxying a terminal when --tty, and exits with the
 * command's status. It stays outside the container's cgroups itself, so its
 * memory is not charged to the container. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
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
#include "pty.h"
#include "report.h"
#include "spec.h"
#include "util.h"
#include "verbs.h"

/* 127: not found, 126: found but not executable, 125: anything else (the
 * exit codes of docker exec / podman exec). */
__attribute__((noreturn)) static void fail(const char *step, int err, const char *detail)
{
	char line[256];
	int code = 125;
	if (strcmp(step, "exec") == 0) {
		if (err == ENOENT)
			code = 127;
		else if (err == EACCES || err == ENOEXEC || err == EISDIR || err == EPERM)
			code = 126;
	}
	tty_restore_stdin();
	snprintf(line, sizeof line, "hutch-monitor: exec: %s%s%s: %s (%s)\n", step, detail ? ": " : "",
		 detail ? detail : "", errname(err), strerror(err));
	write_str(2, line);
	exit(code);
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

static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

int cmd_exec(const struct exec_opts *o)
{
	signal(SIGPIPE, SIG_IGN);
	/* Non-dumpable before entering anything of the container's
	 * (CVE-2016-9962, CVE-2019-5736). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	struct arena arena;
	struct spec spec;
	const char *what;
	if (spec_load(&arena, o->bundle, &spec, &what) < 0)
		fail("config", errno, what);

	int pidfd = (int)syscall(SYS_pidfd_open, o->pid, 0);
	if (pidfd < 0)
		fail("pidfd_open", errno, NULL);
	struct cgroup_set cg;
	if (cgroup_set_open(o->cgroups, o->ncgroups, &cg) < 0)
		fail("cgroup", errno, NULL);
	if (spec.has_oom)
		write_oom(spec.oom_score_adj);
	if (setns(pidfd, spec.ns_flags) < 0)
		fail("setns", errno, NULL);

	int master = -1, slave = -1;
	if (o->tty) {
		/* our root is now the container's: its /dev/pts/ptmx */
		int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0 || (master = pty_alloc(root, &slave)) < 0)
			fail("console", errno, NULL);
		close(root);
		tty_copy_winsize(master);
	}

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	int sv[2];
	if (sigfd < 0)
		fail("signalfd", errno, NULL);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		fail("socketpair", errno, NULL);

	pid_t pid = cgroup_clone(&cg, 0, NULL);
	if (pid < 0)
		fail("fork", errno, NULL);
	if (pid == 0) {
		report_fd = sv[1];
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (cgroup_set_join(&cg) < 0)
			child_fail("cgroup", errno);
		if (setsid() < 0)
			child_fail("setsid", errno);
		if (slave >= 0 && (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0 ||
				   ioctl(0, TIOCSCTTY, 0) < 0))
			child_fail("console", errno);
		struct proc_opts po = { .env = o->env, .nenv = o->nenv, .cwd = o->cwd, .argv = o->argv };
		proc_exec(&spec, &po);
	}

	arena_release(&arena);
	cgroup_set_close(&cg);
	close(sv[1]);
	if (slave >= 0)
		close(slave);
	struct report rep;
	int fd, r;
	while ((r = report_recv(sv[0], &rep, &fd)) > 0 && rep.kind != REPORT_ERROR)
		if (fd >= 0)
			close(fd);
	if (r != 0) {
		int e = errno;
		if (r < 0)
			kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (r < 0)
			fail("report", e, NULL);
		fail(rep.step, rep.err, NULL);
	}
	close(sv[0]);

	int in = -1;
	if (master >= 0) {
		in = 0;
		tty_raw_stdin();
	}
	int status = -1;
	while (status < 0) {
		struct pollfd pfd[3] = { { sigfd, POLLIN, 0 }, { master, POLLIN, 0 }, { in, POLLIN, 0 } };
		if (poll(pfd, 3, -1) < 0) {
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
						status = status_code(st);
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
		if (pfd[2].revents && (tty_pump(0, master, &werr) == 0 || werr))
			in = -1;
	}
	if (master >= 0) {
		/* what the command wrote just before exiting */
		bool werr = false;
		fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
		while (tty_pump(master, 1, &werr) > 0)
			;
	}
	tty_restore_stdin();
	return status < 0 ? 255 : status;
}
