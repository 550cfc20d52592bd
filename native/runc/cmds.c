/* start, state, kill, delete, pause and resume: each reads <root>/<id> and
 * acts on the init by pid (checked against its start time) or its cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../monitor/arena.h"
#include "../monitor/util.h"
#include "runc.h"

/* The one ID argument of a command (flags already taken out by the caller). */
static const char *one_id(int argc, char **argv, int first, const char *cmd)
{
	if (argc - first < 1)
		die("\"%s\" requires a minimum of 1 argument(s)", cmd);
	return argv[first];
}

int start_container(const struct rstate *st)
{
	char fifo[PATH_MAX + 32];
	snprintf(fifo, sizeof fifo, "%s/%s/exec.fifo", g.root, st->id);
	/* Non-blocking: an init that died must not hang us. Its blocked open()
	 * for writing returns once we are a reader; it then writes one byte. */
	int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		log_line("error", "cannot start container %s: %s: %s", st->id, fifo, strerror(errno));
		return -1;
	}
	int pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	char c = 0;
	for (int t = 0; t < 30000; t++) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { pidfd, POLLIN, 0 } };
		if (poll(p, pidfd >= 0 ? 2 : 1, 100) < 0 && errno != EINTR)
			break;
		if (read(fd, &c, 1) == 1)
			break;
		if ((p[1].revents & POLLIN) || !state_alive(st))
			break;
	}
	close(fd);
	if (pidfd >= 0)
		close(pidfd);
	if (c != '0') {
		log_line("error", "cannot start a container that has stopped");
		return -1;
	}
	unlink(fifo);
	/* poststart: a failure is a warning, the container runs on (runtime-spec);
	 * the state says "created", as runc 1.1's does */
	struct arena a;
	char err[600];
	const struct jv *cfg = config_json(&a, st->bundle);
	if (cfg && hooks_present(cfg, "poststart") && hooks_run(cfg, "poststart", st, "created", err, sizeof err) < 0)
		log_line("warning", "%s", err);
	if (cfg)
		arena_release(&a);
	return 0;
}

int cmd_start(int argc, char **argv)
{
	struct rstate st;
	state_read(one_id(argc, argv, 1, "start"), &st);
	const char *s = state_status(&st);
	if (strcmp(s, "stopped") == 0)
		die("cannot start a container that has stopped");
	if (strcmp(s, "running") == 0)
		die("cannot start an already running container");
	if (strcmp(s, "paused") == 0)
		die("cannot start a paused container");
	return start_container(&st) < 0 ? 1 : 0;
}

int cmd_state(int argc, char **argv)
{
	struct rstate st;
	state_read(one_id(argc, argv, 1, "state"), &st);
	state_print_json(1, &st, true, "");
	return 0;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },   { "TRAP", SIGTRAP },
	{ "ABRT", SIGABRT }, { "IOT", SIGIOT },       { "BUS", SIGBUS },     { "FPE", SIGFPE },   { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },     { "USR2", SIGUSR2 },   { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
	{ "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },   { "URG", SIGURG },   { "XCPU", SIGXCPU },
	{ "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },   { "WINCH", SIGWINCH }, { "IO", SIGIO },
	{ "POLL", SIGPOLL }, { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

int signal_from_name(const char *s)
{
	unsigned long long n;
	if (parse_uint(s, 64, &n) == 0)
		return n ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (unsigned i = 0; i < ARRAY_LEN(signals); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	if (strncasecmp(s, "RTMIN+", 6) == 0 && parse_uint(s + 6, 30, &n) == 0)
		return SIGRTMIN + (int)n;
	return -1;
}

int kill_container(const struct rstate *st, int sig, bool all)
{
	/* the pidfd first: from here the pid cannot be reused; then check it is ours */
	int pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (pidfd < 0 || !state_alive(st)) {
		if (pidfd >= 0)
			close(pidfd);
		return -1;
	}
	if (all) {
		/* the others first: an init that exits at the first signal must
		 * not leave them unsignalled */
		size_t n;
		pid_t *p = cg_pids(st, &n);
		for (size_t i = 0; i < n; i++)
			if (p[i] != st->pid)
				kill(p[i], sig);
		free(p);
	}
	int r = (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
	if (r < 0 && all && errno == ESRCH)
		r = 0; /* it ended meanwhile, of the signals sent to the others */
	close(pidfd);
	return r < 0 ? -1 : 0;
}

int cmd_kill(int argc, char **argv)
{
	bool all = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (opt_flag(argv[i], "--all", "-a"))
			all = true;
		else
			die("flag provided but not defined: %s", argv[i]);
	}
	const char *id = one_id(argc, argv, i, "kill");
	int sig = SIGTERM;
	if (i + 1 < argc && (sig = signal_from_name(argv[i + 1])) < 0)
		die("unknown signal \"%s\"", argv[i + 1]);
	struct rstate st;
	state_read(id, &st);
	if (!state_alive(&st))
		die("container not running");
	if (kill_container(&st, sig, all) < 0)
		die("container not running");
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

void destroy_container(const struct rstate *st)
{
	if (state_alive(st)) {
		kill_container(st, SIGKILL, !st->own_pidns);
		/* it is the caller's child (or init's): wait until it is a zombie or gone */
		for (int t = 0; t < 1000 && state_alive(st); t++)
			sleep_ms(5);
	}
	if (!st->own_pidns) {
		/* without a pid namespace its children outlive it: kill them too */
		size_t n;
		pid_t *p = cg_pids(st, &n);
		for (size_t i = 0; i < n; i++)
			kill(p[i], SIGKILL);
		free(p);
	}
	cg_remove(st);
	/* poststop: after the container is gone; a failure is a warning */
	struct arena a;
	char err[600];
	const struct jv *cfg = config_json(&a, st->bundle);
	if (cfg && hooks_present(cfg, "poststop") && hooks_run(cfg, "poststop", st, "stopped", err, sizeof err) < 0)
		log_line("warning", "%s", err);
	if (cfg)
		arena_release(&a);
	char dir[PATH_MAX], p[PATH_MAX + 32];
	state_dir(st->id, dir, sizeof dir);
	static const char *files[] = { "exec.fifo", "state.json", ".state.json.tmp", "annotations.json" };
	for (unsigned i = 0; i < ARRAY_LEN(files); i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	if (rmdir(dir) < 0 && errno != ENOENT)
		log_line("warning", "removing %s: %s", dir, strerror(errno));
}

int cmd_delete(int argc, char **argv)
{
	bool force = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (opt_flag(argv[i], "--force", "-f"))
			force = true;
		else
			die("flag provided but not defined: %s", argv[i]);
	}
	const char *id = one_id(argc, argv, i, "delete");
	struct rstate st;
	char dir[PATH_MAX], sp[PATH_MAX + 32];
	state_dir(id, dir, sizeof dir);
	snprintf(sp, sizeof sp, "%s/state.json", dir);
	/* --force of an id that is not there is no error (runc) */
	if (force && access(sp, F_OK) < 0 && errno == ENOENT)
		return 0;
	state_read(id, &st);
	const char *s = state_status(&st);
	if (!force && strcmp(s, "stopped") != 0 && strcmp(s, "created") != 0)
		die("cannot delete container %s that is not stopped: %s", id, s);
	if (strcmp(s, "paused") == 0)
		cg_freeze(&st, false);
	destroy_container(&st);
	return 0;
}

int cmd_pause(int argc, char **argv, bool pause)
{
	const char *cmd = pause ? "pause" : "resume";
	struct rstate st;
	state_read(one_id(argc, argv, 1, cmd), &st);
	const char *s = state_status(&st);
	if (pause && strcmp(s, "running") != 0)
		die("container not running");
	if (!pause && strcmp(s, "paused") != 0)
		die("container not paused");
	if (cg_freeze(&st, pause) < 0)
		die("%s %s: %s", cmd, st.id, strerror(errno));
	return 0;
}
