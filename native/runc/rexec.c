/* exec: one more process in a running container, as runc's. The process is
 * config.json's with the flags applied (args, --env added, --cwd, --user,
 * -t), or all of --process FILE (a process object). This process joins the
 * init's namespaces in one setns() on its pidfd, forks so the child is in the
 * pid namespace (cloned into the v2 cgroup, joining the v1 ones itself), and
 * the child runs the monitor's process set-up (proc.c: rlimits, user,
 * capabilities, the container's seccomp filter, execve). Without a terminal
 * the child keeps our fds 0-2, as runc's does; with -t its pty master goes to
 * --console-socket. --detach: we exit once it runs (it is then the caller's);
 * else we wait, forward signals, and exit with its status. Failures: runc's
 * `exec failed: …` line and exit status 255. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../monitor/cgroup.h"
#include "../monitor/json.h"
#include "../monitor/keyring.h"
#include "../monitor/proc.h"
#include "../monitor/pty.h"
#include "../monitor/report.h"
#include "../monitor/util.h"
#include "rseccomp.h"
#include "runc.h"

#define MAX_ENV 256

struct eopts {
	const char *process, *pid_file, *console_socket, *cwd, *user, *id;
	char *env[MAX_ENV];
	size_t nenv;
	char **argv;
	bool detach, tty, no_new_keyring;
	unsigned preserve_fds;
};

__attribute__((noreturn, format(printf, 1, 2))) static void efail(const char *fmt, ...)
{
	char msg[1600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_line("error", "exec failed: %s", msg);
	exit(255);
}

static void parse(int argc, char **argv, struct eopts *o)
{
	const char *v;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((v = opt_val(argc, argv, &i, "--process", "-p")))
			o->process = v;
		else if ((v = opt_val(argc, argv, &i, "--pid-file", NULL)))
			o->pid_file = v;
		else if ((v = opt_val(argc, argv, &i, "--console-socket", NULL)))
			o->console_socket = v;
		else if ((v = opt_val(argc, argv, &i, "--cwd", NULL)))
			o->cwd = v;
		else if ((v = opt_val(argc, argv, &i, "--user", "-u")))
			o->user = v;
		else if ((v = opt_val(argc, argv, &i, "--env", "-e"))) {
			if (o->nenv == MAX_ENV)
				efail("too many --env");
			o->env[o->nenv++] = (char *)v;
		} else if ((v = opt_val(argc, argv, &i, "--preserve-fds", NULL))) {
			unsigned long long n;
			if (parse_uint(v, 1024, &n) < 0)
				efail("invalid value \"%s\" for flag --preserve-fds", v);
			o->preserve_fds = (unsigned)n;
		} else if (opt_flag(argv[i], "--detach", "-d"))
			o->detach = true;
		else if (opt_flag(argv[i], "--tty", "-t"))
			o->tty = true;
		else if (opt_flag(argv[i], "--no-new-keyring", NULL))
			o->no_new_keyring = true;
		else if (opt_flag(argv[i], "--ignore-paused", NULL) || opt_flag(argv[i], "--no-subreaper", NULL))
			;
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else
			efail("flag provided but not defined: %s", argv[i]);
	}
	if (i >= argc)
		efail("\"exec\" requires a minimum of 1 argument(s)");
	o->id = argv[i++];
	o->argv = argv + i;
	if (!o->process && !*o->argv)
		efail("exec args cannot be empty");
}

/* --user UID[:GID]: numbers only, as runc 1.1 takes them (callers resolve
 * names: podman and containerd pass ids). */
static void set_user(struct spec *s, const char *u)
{
	char *end;
	errno = 0;
	unsigned long uid = strtoul(u, &end, 10), gid = 0;
	size_t ulen = strcspn(u, ":");
	if (end != u + ulen || !ulen || errno || uid > UINT32_MAX - 1)
		efail("parsing %.*s as int for uid failed: invalid syntax", (int)ulen, u);
	if (*end == ':') {
		const char *g = end + 1;
		gid = strtoul(g, &end, 10);
		if (end == g || *end || errno || gid > UINT32_MAX - 1)
			efail("parsing %s as int for gid failed: invalid syntax", g);
	}
	s->uid = (uid_t)uid;
	s->gid = (gid_t)gid;
	s->gids = NULL;
	s->ngids = 0;
}

/* The --process file as a process object. */
static void load_process(struct arena *a, const char *file, struct spec *s)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		efail("open %s: %s", file, strerror(errno));
	size_t len;
	char *buf = slurp_fd(fd, &len);
	if (!buf)
		efail("reading %s: out of memory", file);
	close(fd);
	char *text = arena_strndup(a, buf, len);
	free(buf);
	const char *perr, *what;
	const struct jv *p = text ? json_parse(a, text, len, &perr) : NULL;
	if (!p)
		efail("parsing %s: %s", file, text ? perr : "out of memory");
	if (spec_load_process(a, p, s, &what) < 0)
		efail("%s: %s: %s", file, what, strerror(errno));
}

int runc_exec(int argc, char **argv)
{
	static struct eopts o;
	parse(argc, argv, &o);
	char dir[PATH_MAX], sp[PATH_MAX + 32];
	state_dir(o.id, dir, sizeof dir);
	snprintf(sp, sizeof sp, "%s/state.json", dir);
	if (access(sp, F_OK) < 0)
		efail("container does not exist");
	struct rstate st;
	state_read(o.id, &st);
	const char *status = state_status(&st);
	if (strcmp(status, "stopped") == 0)
		efail("cannot exec in a stopped container");
	if (strcmp(status, "paused") == 0)
		efail("cannot exec in a paused container");

	/* Non-dumpable before entering anything of the container's (CVE-2016-9962). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	struct arena arena;
	static struct spec spec;
	const char *what;
	char ebuf[600];
	spec_join_ns_paths = true;
	if (spec_load(&arena, st.bundle, &spec, &what) < 0)
		efail("reading %s/config.json: %s: %s", st.bundle, what, strerror(errno));
	spec.overlay = spec.networks = spec.ports = spec.dns = spec.seccomp = spec.on_exit = spec.health = NULL;
	if (rseccomp_compile(&arena, &spec, ebuf, sizeof ebuf) < 0)
		efail("%s", ebuf);
	if (o.process) {
		load_process(&arena, o.process, &spec);
	} else {
		spec.args = o.argv;
		spec.terminal = o.tty;
		if (o.cwd)
			spec.cwd = o.cwd;
		if (o.user)
			set_user(&spec, o.user);
	}
	if (spec.cwd[0] != '/')
		efail("cwd %s is not absolute", spec.cwd);
	if (spec.terminal && !o.console_socket)
		efail("cannot allocate tty without --console-socket (hutch-runc does not proxy a terminal yet)");
	if (!spec.terminal && o.console_socket)
		efail("cannot use console socket if hutch-runc will not allocate tty");

	int pidfd = (int)syscall(SYS_pidfd_open, st.pid, 0);
	if (pidfd < 0 || !state_alive(&st))
		efail("container %s is not running", st.id);
	struct cgroup_set cg;
	const char *badcg;
	if (cgroup_set_open(st.cgroups, st.ncgroups, &cg, &badcg) < 0)
		efail("opening cgroup %s: %s", badcg ? badcg : "?", strerror(errno));
	for (unsigned i = 0; i < o.preserve_fds; i++)
		if (fcntl(3 + (int)i, F_SETFD, 0) < 0)
			efail("--preserve-fds: fd %u: %s", 3 + i, strerror(errno));
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		efail("socketpair: %s", strerror(errno));
	/* Host paths, reached before setns hides them. */
	int cfd = -1, piddir = -1;
	const char *pidname = NULL;
	if (spec.terminal && (cfd = console_connect(o.console_socket)) < 0)
		efail("connecting to the console socket %s: %s", o.console_socket, strerror(errno));
	if (o.pid_file) {
		char d[PATH_MAX];
		const char *slash = strrchr(o.pid_file, '/');
		snprintf(d, sizeof d, "%.*s", slash ? (int)(slash - o.pid_file) + (slash == o.pid_file) : 1, slash ? o.pid_file : ".");
		pidname = slash ? slash + 1 : o.pid_file;
		if ((piddir = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			efail("the pid file's directory %s: %s", d, strerror(errno));
	}
	if (setns(pidfd, spec.ns_flags) < 0)
		efail("setns into %d: %s", (int)st.pid, strerror(errno));

	int master = -1, slave = -1;
	if (spec.terminal) {
		/* our root is the container's now: its /dev/pts/ptmx */
		int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0 || (master = pty_alloc(root, &slave)) < 0)
			efail("allocating a pty: %s", strerror(errno));
		close(root);
	}
	pid_t pid = cgroup_clone(&cg, 0, NULL);
	if (pid < 0)
		efail("fork: %s", strerror(errno));
	if (pid == 0) {
		proc_child_start(&cg, sv[1]);
		if (slave >= 0 && (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0 || ioctl(0, TIOCSCTTY, 0) < 0))
			child_fail("console", errno);
		if (!o.no_new_keyring && keyring_new_session() < 0)
			child_fail("keyring", errno);
		struct proc_opts po = { .env = o.env, .nenv = o.nenv, .keep_fds = o.preserve_fds };
		proc_exec(&spec, &po);
	}
	close(sv[1]);
	if (slave >= 0)
		close(slave);
	cgroup_set_close(&cg);
	if (master >= 0) {
		if (console_send(cfd, master) < 0) {
			kill(pid, SIGKILL);
			efail("sending the console to %s: %s", o.console_socket, strerror(errno));
		}
		close(master);
		close(cfd);
	}
	/* EOF: the command runs (the report socket closed at its execve). */
	struct report rep;
	int r = report_until_exec(sv[0], &rep);
	if (r != 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (r < 0)
			efail("unable to start container process: %s", strerror(errno));
		if (strcmp(rep.step, "exec") == 0 && rep.err == ENOENT)
			efail("unable to start container process: exec: \"%s\": executable file not found in $PATH", rep.detail);
		efail("unable to start container process: %s%s%s: %s", rep.step, rep.detail[0] ? " " : "", rep.detail,
		      strerror(rep.err));
	}
	close(sv[0]);
	arena_release(&arena);
	if (o.pid_file && write_pid_file(piddir, pidname, pid) < 0) {
		kill(pid, SIGKILL);
		efail("writing the pid file %s: %s", o.pid_file, strerror(errno));
	}
	if (o.detach)
		return 0;
	/* our only child: signals go to it by pid (no pidfd was asked of the clone) */
	return wait_forwarding(pid, -1, false);
}
