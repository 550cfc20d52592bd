/* create and run. create: config.json -> cgroups -> namespaces joined by path
 * -> exec.fifo -> clone of the monitor's container init (init.c), which sets
 * everything up, says it is parked and waits on the fifo; then the state and
 * the pid file, and exit. run: the same, then start, and unless -d wait for
 * the init as its parent, forwarding signals, and delete it after.
 * Any failure leaves nothing in --root and no cgroup behind. */
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../monitor/init.h"
#include "../monitor/json.h"
#include "../monitor/net.h"
#include "../monitor/report.h"
#include "../monitor/userns.h"
#include "../monitor/util.h"
#include "rseccomp.h"
#include "runc.h"

struct copts {
	const char *bundle, *pid_file, *console_socket, *id;
	bool no_pivot, no_new_keyring, detach;
	unsigned preserve_fds;
	/* run, attached, with a terminal and no console socket: we keep the
	 * pty master (console.c) */
	bool own_console;
	int master;
};

/* What to undo when create fails. */
static struct {
	const char *verb;
	char dir[PATH_MAX];
	struct rstate *st;
	int pidfd;
	pid_t pid;
} undo = { .pidfd = -1 };

static void cleanup(void)
{
	if (undo.pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, undo.pidfd, SIGKILL, NULL, 0);
		while (waitpid(undo.pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (undo.st)
		cg_remove(undo.st);
	if (undo.dir[0]) {
		char p[PATH_MAX + 32];
		static const char *files[] = { "exec.fifo", "state.json", ".state.json.tmp", "annotations.json" };
		for (unsigned i = 0; i < ARRAY_LEN(files); i++) {
			snprintf(p, sizeof p, "%s/%s", undo.dir, files[i]);
			unlink(p);
		}
		rmdir(undo.dir);
	}
}

__attribute__((noreturn, format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
	char msg[1600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cleanup();
	die("hutch-runc %s failed: %s", undo.verb, msg);
}

static void parse(int argc, char **argv, bool run, struct copts *o)
{
	const char *v;
	for (int i = 1; i < argc; i++) {
		if ((v = opt_val(argc, argv, &i, "--bundle", "-b")))
			o->bundle = v;
		else if ((v = opt_val(argc, argv, &i, "--pid-file", NULL)))
			o->pid_file = v;
		else if ((v = opt_val(argc, argv, &i, "--console-socket", NULL)))
			o->console_socket = v;
		else if ((v = opt_val(argc, argv, &i, "--preserve-fds", NULL))) {
			unsigned long long n;
			if (parse_uint(v, 1024, &n) < 0)
				die("invalid value \"%s\" for flag --preserve-fds", v);
			o->preserve_fds = (unsigned)n;
		} else if (opt_flag(argv[i], "--no-pivot", NULL))
			o->no_pivot = true;
		else if (opt_flag(argv[i], "--no-new-keyring", NULL))
			o->no_new_keyring = true;
		else if (run && opt_flag(argv[i], "--detach", "-d"))
			o->detach = true;
		else if (opt_flag(argv[i], "--no-subreaper", NULL) || opt_flag(argv[i], "--keep", NULL))
			;
		else if (argv[i][0] == '-' && argv[i][1])
			die("flag provided but not defined: %s", argv[i]);
		else if (!o->id)
			o->id = argv[i];
		else
			die("%s: too many arguments", run ? "run" : "create");
	}
	if (!o->id)
		die("\"%s\" requires exactly 1 argument(s)", run ? "run" : "create");
}

/* Namespaces with a path: pid, network, ipc, uts and cgroup are joined here,
 * by this single-threaded process, so the init is cloned into them (a pid
 * namespace only ever applies to children). A mount namespace by path is
 * refused for now. */
static void join_namespaces(struct spec *s)
{
	for (size_t i = 0; i < s->nns_paths; i++) {
		int flag = s->ns_paths[i].flag;
		const char *p = s->ns_paths[i].path;
		if (flag == CLONE_NEWNS)
			fail("joining a mount namespace by path (%s) is not supported yet", p);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fail("open namespace %s: %s", p, strerror(errno));
		if (setns(fd, flag) < 0)
			fail("setns %s: %s", p, strerror(errno));
		close(fd);
		s->ns_flags &= ~flag;
		if (flag == CLONE_NEWNET)
			s->netns_path = NULL;
	}
}

static const char *config_error(const char *what, int err, char *buf, size_t len)
{
	if (strcmp(what, "config.json") == 0 && err == ENOENT)
		return "JSON specification file config.json not found";
	if (strcmp(what, "process") == 0)
		return "process property must not be empty";
	snprintf(buf, len, "config.json: %s: %s", what, err == EINVAL ? "invalid" : strerror(err));
	return buf;
}

/* The container init is set up and parked; its pid. Fills st. */
static pid_t create(struct copts *o, struct rstate *st)
{
	char bundle[PATH_MAX];
	if (!realpath(o->bundle ? o->bundle : ".", bundle))
		die("hutch-runc %s failed: bundle %s: %s", undo.verb, o->bundle ? o->bundle : ".", strerror(errno));
	struct arena arena;
	static struct spec spec;
	const char *what;
	char ebuf[600];
	spec_join_ns_paths = true;
	if (spec_load(&arena, bundle, &spec, &what) < 0)
		fail("%s", config_error(what, errno, ebuf, sizeof ebuf));
	/* hutch's own annotations are for its monitor, not for this runtime */
	spec.overlay = spec.networks = spec.ports = spec.dns = spec.seccomp = spec.on_exit = spec.health = NULL;
	if (rseccomp_compile(&arena, &spec, ebuf, sizeof ebuf) < 0)
		fail("%s", ebuf);
	if (!(spec.ns_flags & CLONE_NEWNS))
		fail("a mount namespace is required (linux.namespaces)");
	if (spec.terminal && !o->console_socket && !o->own_console)
		fail("cannot allocate tty if hutch-runc will detach without setting console socket");
	if (!spec.terminal && o->console_socket)
		fail("cannot use console socket if hutch-runc will not detach or allocate tty");

	if (mkdir_p(g.root, 0700) < 0)
		die("hutch-runc %s failed: creating the root %s: %s", undo.verb, g.root, strerror(errno));
	char dir[PATH_MAX];
	state_dir(o->id, dir, sizeof dir);
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			die("hutch-runc %s failed: container with given ID already exists", undo.verb);
		die("hutch-runc %s failed: creating %s: %s", undo.verb, dir, strerror(errno));
	}
	snprintf(undo.dir, sizeof undo.dir, "%s", dir);

	memset(st, 0, sizeof *st);
	snprintf(st->id, sizeof st->id, "%s", o->id);
	snprintf(st->bundle, sizeof st->bundle, "%s", bundle);
	snprintf(st->rootfs, sizeof st->rootfs, "%s", spec.root_path);
	now_rfc3339(st->created, sizeof st->created);
	st->annotations = annotations_json(spec.json);
	st->own_pidns = spec.ns_flags & CLONE_NEWPID;
	for (size_t i = 0; i < spec.nns_paths; i++)
		if (spec.ns_paths[i].flag == CLONE_NEWPID)
			st->own_pidns = false;

	const struct jv *lx = json_get(spec.json, "linux");
	undo.st = st;
	if (cg_create(o->id, lx, st, ebuf, sizeof ebuf) < 0)
		fail("%s", ebuf);
	struct cgroup_set cg;
	const char *badcg;
	if (cgroup_set_open(st->cgroups, st->ncgroups, &cg, &badcg) < 0)
		fail("opening cgroup %s: %s", badcg ? badcg : "?", strerror(errno));
	join_namespaces(&spec);

	char fifo[PATH_MAX + 32];
	snprintf(fifo, sizeof fifo, "%s/exec.fifo", dir);
	if (mkfifo(fifo, 0600) < 0)
		fail("creating %s: %s", fifo, strerror(errno));
	/* The init opens it for writing as the container's root: in a user
	 * namespace, the mapped root's host ids (runc's chown). */
	if (spec.uid_map && spec.gid_map) {
		unsigned long c, hu, hg;
		if (sscanf(spec.uid_map, "%lu %lu", &c, &hu) != 2 || c != 0 || sscanf(spec.gid_map, "%lu %lu", &c, &hg) != 2 || c != 0)
			fail("linux.uidMappings and gidMappings must map the container's root first");
		if (chown(fifo, (uid_t)hu, (gid_t)hg) < 0)
			fail("chown %s: %s", fifo, strerror(errno));
	}
	int fifo_fd = open(fifo, O_PATH | O_CLOEXEC);
	if (fifo_fd < 0)
		fail("opening %s: %s", fifo, strerror(errno));

	static struct netplan net;
	const char *nstep;
	if (net_parse(&spec, &net, &nstep, ebuf, sizeof ebuf) < 0)
		fail("%s: %s", nstep, ebuf);
	for (unsigned i = 0; i < o->preserve_fds; i++)
		if (fcntl(3 + (int)i, F_SETFD, 0) < 0)
			fail("--preserve-fds: fd %u: %s", 3 + i, strerror(errno));

	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		fail("socketpair: %s", strerror(errno));
	struct run_opts ro = { .bundle = bundle, .id = o->id, .cgroups = st->cgroups, .ncgroups = st->ncgroups,
			       .sync_fd = -1, .no_new_keyring = o->no_new_keyring };
	struct init_args ia = { .s = &spec, .o = &ro, .cg = &cg, .net = &net, .report = sv[1], .in_r = -1, .out_w = -1,
				.err_w = -1, .inherit_stdio = true, .preserve_fds = o->preserve_fds, .park = true,
				.exec_fifo = fifo_fd,
				.hooks = hooks_present(spec.json, "prestart") || hooks_present(spec.json, "createRuntime") ||
					 hooks_present(spec.json, "createContainer") || hooks_present(spec.json, "startContainer"),
				.container_hooks = container_hooks };
	if (spec.terminal && o->own_console && ioctl(0, TIOCGWINSZ, &ia.ws) == 0)
		ia.have_ws = true;
	/* Nothing in the container may ptrace the init or open its /proc files
	 * while it holds our fds (CVE-2016-9962); execve resets it. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	unsigned long flags = (unsigned long)(spec.ns_flags & ~CLONE_NEWCGROUP);
	int pidfd = -1;
	pid_t pid = cgroup_clone(&cg, flags, &pidfd);
	if (pid < 0)
		fail("clone: %s", strerror(errno));
	if (pid == 0)
		container_init(&ia);
	undo.pid = pid;
	undo.pidfd = pidfd;
	st->pid = pid;
	close(sv[1]);
	close(fifo_fd);
	cgroup_set_close(&cg);
	if (spec.ns_flags & CLONE_NEWUSER) {
		const char *ustep;
		char uwhat[300];
		if (userns_prepare(pid, &spec, bundle, sv[0], &ustep, uwhat, sizeof uwhat) < 0 || userns_go(sv[0]) < 0)
			fail("%s %s: %s", ustep, uwhat, strerror(errno));
	}

	struct report rep;
	int r, fd, master = -1;
	bool parked = false;
	while (!parked && (r = report_recv(sv[0], &rep, &fd)) > 0) {
		if (rep.kind == REPORT_ERROR) {
			if (strcmp(rep.step, "exec") == 0 && rep.err == ENOENT)
				fail("unable to start container process: exec: %s", rep.detail);
			fail("unable to start container process: %s%s%s: %s", rep.step, rep.detail[0] ? " " : "", rep.detail,
			     strerror(rep.err));
		}
		if (rep.kind == REPORT_CONSOLE) {
			if (master >= 0)
				close(master);
			master = fd;
		} else if (rep.kind == REPORT_PARKED) {
			parked = true;
		} else if (rep.kind == REPORT_HOOKS) {
			/* the init waits before pivot_root, its mounts made */
			if (hooks_run(spec.json, "prestart", st, "creating", ebuf, sizeof ebuf) < 0 ||
			    hooks_run(spec.json, "createRuntime", st, "creating", ebuf, sizeof ebuf) < 0)
				fail("%s", ebuf);
			/* go: the state, for the hooks the init runs itself */
			size_t slen;
			char *state = hooks_state_text(st, "creating", &slen);
			if (!state || write(sv[0], state, slen) != (ssize_t)slen)
				fail("letting the init go on: %s", strerror(errno ? errno : ENOMEM));
			free(state);
		} else if (fd >= 0) {
			close(fd);
		}
	}
	if (!parked)
		fail("container init exited during setup");
	close(sv[0]);
	if (spec.terminal) {
		if (master < 0)
			fail("no console from the container init");
	}
	if (spec.terminal && o->own_console) {
		o->master = master;
	} else if (spec.terminal) {
		int cfd = console_connect(o->console_socket);
		if (cfd < 0 || console_send(cfd, master) < 0)
			fail("sending the console to %s: %s", o->console_socket, strerror(errno));
		close(cfd);
		close(master);
	}
	st->pid = pid;
	st->start = proc_start_time(pid);
	if (state_write(st) < 0)
		fail("writing the state of %s: %s", o->id, strerror(errno));
	if (o->pid_file)
		if (write_pid_file(AT_FDCWD, o->pid_file, pid) < 0)
			fail("writing the pid file %s: %s", o->pid_file, strerror(errno));
	arena_release(&arena);
	return pid;
}

int cmd_create(int argc, char **argv, bool run)
{
	struct copts o = { 0 };
	static struct rstate st;
	undo.verb = run ? "run" : "create";
	parse(argc, argv, run, &o);
	o.own_console = run && !o.detach && !o.console_socket;
	o.master = -1;
	if (run && !o.detach)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	pid_t pid = create(&o, &st);
	int pidfd = undo.pidfd;
	/* From here on the container exists: a failure no longer undoes it. */
	undo.pidfd = -1;
	undo.st = NULL;
	undo.dir[0] = 0;
	if (!run)
		return 0;
	if (start_container(&st) < 0) {
		/* runc's run leaves nothing behind when start fails */
		destroy_container(&st);
		return 1;
	}
	if (o.detach)
		return 0;
	/* the init is our child: its status is ours; orphans of a container
	 * without a pid namespace are reaped too (we are a subreaper) */
	int status = o.master >= 0 ? console_run(pid, pidfd, o.master) : wait_forwarding(pid, pidfd, true);
	destroy_container(&st);
	return status;
}
