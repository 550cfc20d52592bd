/* `hutch-monitor run`: create the container and stay its parent.
 *
 * After the container runs, the monitor is a poll() loop over a signalfd
 * (SIGCHLD, sig-proxy, SIGWINCH), the container's stdout/stderr pipes (or its
 * pty master), attached to a terminal our stdin, and with run.hutch.dns the
 * embedded DNS server's sockets (dns.h). It holds nothing else:
 * the parsed config is unmapped right after clone(), so a running monitor is
 * its stack, two log buffers and libc's data. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "dns.h"
#include "exitcmd.h"
#include "exitfile.h"
#include "health.h"
#include "init.h"
#include "log.h"
#include "net.h"
#include "ns.h"
#include "pty.h"
#include "pump.h"
#include "report.h"
#include "seccomp.h"
#include "spec.h"
#include "userns.h"
#include "util.h"
#include "verbs.h"

static struct logstream out_s, err_s;
/* Static: fail() must find what to undo (map elements) on every path. */
static struct netplan net;
static bool net_live;

static void sync_line(int fd, const char *line)
{
	if (fd >= 0)
		write_all(fd, line, strlen(line)); /* EPIPE: the engine went away; fine */
}

/* A setup failure: one line on the sync fd (or on stderr when there is no
 * sync fd to carry it), exit status 1, no exit file. */
__attribute__((noreturn)) static void fail(const struct run_opts *o, const char *step, int err, const char *detail)
{
	if (net_live)
		net_unpublish(&net);
	report_failure(o->sync_fd, "run", step, err, detail);
	exit(1);
}

/* Parsing config.json touched stack pages far below where the loop runs; give
 * them back, so a monitor that lives as long as its container stays small. */
static void trim_stack(void)
{
	char here;
	uintptr_t sp = (uintptr_t)&here & ~(uintptr_t)4095;
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		return;
	char l[256];
	unsigned long lo = 0, hi = 0;
	while (fgets(l, sizeof l, f))
		if (strstr(l, "[stack]") && sscanf(l, "%lx-%lx", &lo, &hi) == 2)
			break;
	fclose(f);
	/* keep two pages below the current frame for what the loop calls */
	if (lo && sp - 8192 > lo && sp < hi)
		madvise((void *)lo, sp - 8192 - lo, MADV_DONTNEED);
}

/* After the init exited: log what is still buffered in the pipe without
 * waiting for an EOF that a process outside a pid namespace could delay
 * forever. */
static void drain(int logfd, struct logstream *s)
{
	if (s->in < 0)
		return;
	fcntl(s->in, F_SETFL, fcntl(s->in, F_GETFL) | O_NONBLOCK);
	while (s->in >= 0 && log_read(logfd, s) > 0)
		;
	log_close(logfd, s);
}

/* --oom-score-adj of an init in a user namespace, written from here, as the
 * host's root: from inside, lowering it is EACCES (CAP_SYS_RESOURCE is checked
 * against the initial user namespace). */
static int write_child_oom(pid_t pid, int v)
{
	char p[48], buf[16];
	snprintf(p, sizeof p, "/proc/%d/oom_score_adj", (int)pid);
	int n = snprintf(buf, sizeof buf, "%d", v);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	int r = fd < 0 ? -1 : write_all(fd, buf, (size_t)n);
	int e = errno;
	if (fd >= 0)
		close(fd);
	errno = e;
	return r < 0 ? -1 : 0;
}

int cmd_run(const struct run_opts *o)
{
	signal(SIGPIPE, SIG_IGN);
	if (!o->attach && detach_from_caller() < 0)
		fail(o, "fork", errno, NULL);
	/* Orphans of the container (without a pid namespace) are reparented to us
	 * and reaped by the SIGCHLD handler below. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	/* Non-dumpable: no process of the container can ptrace the monitor or its
	 * clone before execve, or open their /proc entries (CVE-2016-9962). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	struct arena arena;
	struct spec spec;
	const char *what;
	if (spec_load(&arena, o->bundle, &spec, &what) < 0)
		fail(o, "config", errno, what);
	/* The filter's file is a host path: read it now, before anything of the
	 * container is entered. */
	if (seccomp_read(&arena, &spec, &what) < 0)
		fail(o, "seccomp", errno, what);
	if (!(spec.ns_flags & CLONE_NEWNS))
		fail(o, "config", EINVAL, "linux.namespaces (a mount namespace is required)");
	bool terminal = spec.terminal;
	const char *netstep;
	char netwhat[200];
	if (net_parse(&spec, &net, &netstep, netwhat, sizeof netwhat) < 0)
		fail(o, netstep, errno, netwhat);
	if (dns_parse(&spec, &netstep, netwhat, sizeof netwhat) < 0)
		fail(o, netstep, errno, netwhat);

	int logfd = open(o->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (logfd < 0)
		fail(o, "log", errno, o->log);
	/* Held until we exit: the engine's proof that this container has a live
	 * monitor (exitfile.h). EBUSY: another monitor runs it. */
	int exitfd = exit_reserve(o->exit_file);
	if (exitfd < 0)
		fail(o, "exitfile", errno, o->exit_file);

	int sigfd = monitor_signalfd(SIGURG); /* health.h: a probe now */
	if (sigfd < 0)
		fail(o, "signalfd", errno, NULL);

	int sv[2], outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, inp[2] = { -1, -1 };
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		fail(o, "socketpair", errno, NULL);
	if (!terminal && (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0))
		fail(o, "pipe", errno, NULL);
	/* Our stdin reaches the container through a pipe of ours, never as the fd
	 * itself (pump.h). */
	bool pipe_stdin = !terminal && o->use_stdin;
	if (pipe_stdin && pipe2(inp, O_CLOEXEC) < 0)
		fail(o, "pipe", errno, NULL);

	struct cgroup_set cg;
	const char *badcg;
	if (cgroup_set_open(o->cgroups, o->ncgroups, &cg, &badcg) < 0)
		fail(o, "cgroup", errno, badcg);
	struct init_args ia = { .s = &spec, .o = o, .cg = &cg, .report = sv[1], .in_r = inp[0], .out_w = outp[1], .err_w = errp[1] };
	if (terminal && o->attach && ioctl(0, TIOCGWINSZ, &ia.ws) == 0)
		ia.have_ws = true;

	/* Host-side network work (net.h): after this, fail() undoes it. */
	net_live = true;
	if (net_prepare(&spec, &net, &netstep, netwhat, sizeof netwhat) < 0)
		fail(o, netstep, errno, netwhat);
	if (dns_prepare(&netstep, netwhat, sizeof netwhat) < 0)
		fail(o, netstep, errno, netwhat);
	ia.net = &net;

	int pidfd = -1;
	/* The monitor made the links (net_make_links): the init cannot delete them. */
	bool spec_userns = spec.ns_flags & CLONE_NEWUSER;
	/* CLONE_NEWCGROUP is done by the child after joining its cgroups; a
	 * network namespace given by path is joined by the child (setns). */
	unsigned long flags = (unsigned long)(spec.ns_flags & ~CLONE_NEWCGROUP);
	if (spec.netns_path)
		flags &= ~(unsigned long)CLONE_NEWNET;
	pid_t pid = cgroup_clone(&cg, flags, &pidfd);
	if (pid < 0)
		fail(o, "clone", errno, NULL);
	if (pid == 0)
		container_init(&ia);
	/* The init waits for its id maps and idmapped mounts (userns.h); the
	 * spec is still ours to read until arena_release below. */
	if (spec.ns_flags & CLONE_NEWUSER) {
		const char *ustep;
		char uwhat[300];
		if (userns_prepare(pid, &spec, o->bundle, sv[0], &ustep, uwhat, sizeof uwhat) < 0 ||
		    (ustep = "net", net_make_links(&net, pid, uwhat, sizeof uwhat)) < 0 ||
		    (spec.has_oom && (ustep = "oom_score_adj", snprintf(uwhat, sizeof uwhat, "%d", spec.oom_score_adj),
				      write_child_oom(pid, spec.oom_score_adj)) < 0) ||
		    (ustep = "userns", snprintf(uwhat, sizeof uwhat, "go"), userns_go(sv[0])) < 0) {
			int e = errno;
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			fail(o, ustep, e, uwhat);
		}
	}

	/* The child has its own copy; ours is not needed any more (but for the
	 * exit command, run after the exit is recorded). */
	char *on_exit = spec.on_exit ? strdup(spec.on_exit) : NULL;
	char *on_exit_if = spec.on_exit_if ? strdup(spec.on_exit_if) : NULL;
	char *health = spec.health ? strdup(spec.health) : NULL;
	net_after_clone(&net);
	arena_release(&arena);
	cgroup_set_close(&cg);
	close(sv[1]);
	if (!terminal) {
		close(outp[1]);
		close(errp[1]);
	}
	if (pipe_stdin)
		close(inp[0]);

	int master = -1, r, fd;
	struct report rep;
	while ((r = report_recv(sv[0], &rep, &fd)) > 0 && rep.kind != REPORT_ERROR) {
		if (rep.kind == REPORT_DNS_UDP || rep.kind == REPORT_DNS_TCP) {
			if (fd >= 0)
				dns_adopt(rep.kind, fd);
			continue;
		}
		if (master >= 0)
			close(master);
		master = fd;
	}
	int rerr = errno;
	close(sv[0]);
	if (r != 0) {
		/* The child reported a failure (and exits), or the channel broke. */
		int st;
		if (r < 0)
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (r < 0)
			fail(o, "report", rerr, NULL);
		/* A step after the interfaces failed: their names must be free
		 * for a retry (the child deletes them itself when "net" fails). */
		if (net_links_made(&net, rep.step) || (spec_userns && net.nifs)) {
			net_remove_links_start(&net);
			net_remove_links_wait(&net);
		}
		fail(o, rep.step, rep.err, rep.detail);
	}
	if (terminal && master < 0) {
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		waitpid(pid, NULL, 0);
		fail(o, "console", EPROTO, NULL);
	}

	/* The command runs. */
	char line[64];
	/* The pid file is for other tools (the engine reads the pid line); not
	 * fsync()ed: after a crash the container is gone anyway. A failure to
	 * write it does not stop a container that already runs. */
	if (o->pid_file)
		write_file_atomic(o->pid_file, pid, false);
	exit_record_pid(exitfd, pid, getpid());
	/* Before the pid line: `hutch attach` works as soon as `run -d` returns.
	 * Without it (an error), the container runs unattachable. */
	attach_listen(o->bundle);
	snprintf(line, sizeof line, "pid %d %d\n", (int)pid, (int)getpid());
	sync_line(o->sync_fd, line);
	trim_stack();

	out_s.in = terminal ? master : outp[0];
	out_s.copy_to = o->attach ? 1 : -1;
	out_s.name = "stdout";
	err_s.in = terminal ? -1 : errp[0];
	err_s.copy_to = o->attach ? 2 : -1;
	err_s.name = "stderr";
	out_s.tee = err_s.tee = attach_broadcast;
	out_s.tee_type = ATTACH_STDOUT;
	err_s.tee_type = ATTACH_STDERR;
	int in = (terminal && o->attach && o->use_stdin) ? 0 : -1;
	bool stdin_tty = in == 0 && isatty(0);
	if (in == 0)
		tty_raw_stdin();
	if (terminal && o->attach)
		tty_copy_winsize(master);
	static struct inpump stdin_p;
	/* Detached, a -i container's stdin pipe is for attach clients (attach.h). */
	bool pump = pipe_stdin && o->attach;
	inpump_init(&stdin_p, pump ? 0 : -1, pump ? inp[1] : -1);
	if (terminal)
		attach_io(fcntl(master, F_DUPFD_CLOEXEC, 3), true, o->use_stdin);
	else if (pipe_stdin && !o->attach)
		attach_io(inp[1], false, true);
	/* Typed keys go through attach's input queue too: the pty is written
	 * without ever blocking, and the detach keys are looked for. */
	attach_local(in, o->detach_keys);
	bool attached = o->attach;

	health_setup(health, o, pid);

	int status = -1;
	while (status < 0) {
		struct pollfd pfd[6 + HEALTH_POLL_FDS + ATTACH_POLL_FDS + DNS_POLL_MAX] = {
			{ sigfd, POLLIN, 0 }, { out_s.in, POLLIN, 0 }, { err_s.in, POLLIN, 0 }, { attach_local_fd(), POLLIN, 0 },
		};
		inpump_poll(&stdin_p, &pfd[4], &pfd[5]);
		struct pollfd *hp = &pfd[6], *ap = &pfd[6 + HEALTH_POLL_FDS], *dp = &pfd[6 + HEALTH_POLL_FDS + ATTACH_POLL_FDS];
		health_poll(hp);
		attach_poll(ap);
		int ndns = dns_poll(dp);
		if (poll(pfd, (nfds_t)(6 + HEALTH_POLL_FDS + ATTACH_POLL_FDS + ndns), dns_timeout()) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		/* Also on a timeout (no events): an upstream's deadline passed. */
		dns_step(dp, ndns);
		health_step(hp);
		attach_step(ap);
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof si) == sizeof si) {
				int sig = (int)si.ssi_signo;
				if (sig == SIGCHLD) {
					int st;
					pid_t w;
					while ((w = waitpid(-1, &st, WNOHANG)) > 0)
						if (w == pid)
							status = exit_code(st);
						else
							health_reaped(w, st);
				} else if (sig == SIGWINCH) {
					if (master >= 0 && attached)
						tty_copy_winsize(master);
				} else if (sig == SIGURG) {
					health_request();
				} else if (attached) {
					/* sig-proxy; a detached monitor ignores these */
					syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
				}
			}
		}
		if (pfd[1].revents)
			log_read(logfd, &out_s);
		if (pfd[2].revents)
			log_read(logfd, &err_s);
		if (pfd[3].revents) {
			int ev = attach_read_local();
			/* A terminal in raw mode has no EOF key: it hung up. That
			 * hangup would have reached the container's own terminal. */
			if ((ev & ATTACH_EV_HUP) && stdin_tty)
				syscall(SYS_pidfd_send_signal, pidfd, SIGHUP, NULL, 0);
			if (ev & ATTACH_EV_DETACH) {
				/* The detach keys: the user's terminal is given back and
				 * the engine told; from now on a detached monitor. */
				tty_restore_stdin();
				stdio_to_null();
				out_s.copy_to = err_s.copy_to = -1;
				attached = false;
				sync_line(o->sync_fd, "detached\n");
			}
		}
		if (pfd[4].revents || pfd[5].revents)
			inpump_step(&stdin_p, pfd[4].revents, pfd[5].revents);
	}
	inpump_close(&stdin_p);
	attach_stop_input();
	health_stop();
	if (status < 0)
		status = 255;
	drain(logfd, &out_s);
	drain(logfd, &err_s);
	tty_restore_stdin();
	close(logfd);

	/* Ports are free again before anyone can see the container exited: a
	 * restart with the same ports must not find them still taken. */
	net_remove_links_start(&net);
	net_unpublish(&net);
	net_live = false;
	net_remove_links_wait(&net);

	/* The status goes into the space reserved at start (exitfile.h). */
	exit_commit(exitfd, o->exit_file, status);
	/* Clients learn the status once it is recorded (what they do next sees the
	 * container exited); the socket goes before the exit command could start a
	 * new monitor that binds its own. */
	attach_close(status);
	snprintf(line, sizeof line, "exit %d\n", status);
	sync_line(o->sync_fd, line);
	if (on_exit)
		spawn_on_exit(on_exit, on_exit_if);
	return o->attach ? status : 0;
}
