/* See health.h. The rules are moby's (daemon/health.go): the first probe one
 * interval after the start (start-interval while starting within the start
 * period), exit 0 healthy, anything else a failure, failures inside the start
 * period not counted while starting, `retries` failures in a row unhealthy, a
 * probe past its timeout killed and recorded as exit -1. */
#include "health.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "healthfile.h"
#include "util.h"

#define OUT_MAX 4096 /* docker's maxOutputLen */
#define KEEP 5	     /* docker's maxLogEntries */

enum { STARTING, HEALTHY, UNHEALTHY };
static const char *const status_name[] = { "starting", "healthy", "unhealthy" };

static struct {
	bool on, stopped, requested, timed_out;
	unsigned long long interval, timeout, start_period, start_interval, retries;
	const char *file, *events, *actor;
	char *tmp;   /* file + ".tmp" */
	char **argv; /* hutch-monitor exec … -- cmd… */
	char **cgroups; /* the container's cgroup directories (run's --cgroup) */
	size_t ncgroups;
	int tfd, pipe;
	long long started; /* monotonic ms */
	pid_t probe;
	struct timespec pstart; /* the probe's start, realtime */
	long long pstart_ms;	/* and monotonic */
	char out[OUT_MAX];
	size_t len;
	int status, streak, nlog;
	struct health_result log[KEEP];
} h = { .tfd = -1, .pipe = -1 };

static long long mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Arms the timer ms from now (0: at once). */
static void arm(unsigned long long ms)
{
	struct itimerspec it = { .it_value = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 } };
	if (ms == 0)
		it.it_value.tv_nsec = 1;
	timerfd_settime(h.tfd, 0, &it, NULL);
}

static unsigned long long next_interval(void)
{
	if (h.status == STARTING && mono_ms() - h.started < (long long)h.start_period)
		return h.start_interval;
	return h.interval;
}

/* health.json as the checks stand now (healthfile.c) */
static void write_state(void)
{
	health_file_write(h.file, h.tmp, status_name[h.status], h.streak, h.log, h.nlog);
}

static void record(int code, const char *out, size_t len)
{
	if (h.nlog == KEEP) {
		free(h.log[0].out);
		memmove(h.log, h.log + 1, (KEEP - 1) * sizeof *h.log);
		h.nlog--;
	}
	struct health_result *r = &h.log[h.nlog++];
	r->start = h.pstart;
	clock_gettime(CLOCK_REALTIME, &r->end);
	r->code = code;
	r->out = malloc(len ? len : 1);
	r->len = r->out ? len : 0;
	if (r->out)
		memcpy(r->out, out, len);
	int old = h.status;
	if (code == 0) {
		h.streak = 0;
		h.status = HEALTHY;
	} else if (!(h.status == STARTING && h.pstart_ms - h.started < (long long)h.start_period) &&
		   (unsigned long long)++h.streak >= h.retries) {
		h.status = UNHEALTHY;
	}
	write_state();
	if (h.status != old)
		health_event_write(h.events, h.actor, status_name[h.status]);
}

static void spawn_probe(void)
{
	clock_gettime(CLOCK_REALTIME, &h.pstart);
	h.pstart_ms = mono_ms();
	h.len = 0;
	h.timed_out = false;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		char msg[120];
		snprintf(msg, sizeof msg, "health check: cannot make a pipe: %s", strerror(errno));
		record(-1, msg, strlen(msg));
		arm(next_interval());
		return;
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	/* its own session: a Ctrl-C on an attached run's terminal is not for the probe */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
	char *envp[] = { NULL };
	int e = posix_spawn(&h.probe, "/proc/self/exe", &fa, &at, h.argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	if (e) {
		close(p[0]);
		h.probe = 0;
		char msg[120];
		snprintf(msg, sizeof msg, "health check: cannot start the probe: %s", strerror(e));
		record(-1, msg, strlen(msg));
		arm(next_interval());
		return;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	h.pipe = p[0];
	arm(h.timeout);
}

/* Reads what the probe wrote: the first OUT_MAX bytes are kept, the rest read and
 * dropped so the probe never blocks on a full pipe. */
static void read_out(void)
{
	char drop[512];
	for (;;) {
		bool keep = h.len < OUT_MAX;
		ssize_t n = read(h.pipe, keep ? h.out + h.len : drop, keep ? OUT_MAX - h.len : sizeof drop);
		if (n > 0) {
			if (keep)
				h.len += (size_t)n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			close(h.pipe);
			h.pipe = -1;
		}
		return;
	}
}

bool health_setup(char *a, const struct run_opts *o, pid_t init)
{
	if (!a)
		return false;
	h.interval = h.timeout = 30000;
	h.start_interval = 5000;
	h.retries = 3;
	size_t lines = 1;
	for (const char *p = a; *p; p++)
		lines += *p == '\n';
	char **cmd = calloc(lines, sizeof *cmd);
	if (!cmd)
		return false;
	size_t ncmd = 0;
	for (char *line = a; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		char *v = strchr(line, ' ');
		if (v) {
			*v++ = 0;
			unsigned long long *num = !strcmp(line, "interval")	  ? &h.interval
						  : !strcmp(line, "timeout")	  ? &h.timeout
						  : !strcmp(line, "start-period")   ? &h.start_period
						  : !strcmp(line, "start-interval") ? &h.start_interval
						  : !strcmp(line, "retries")	  ? &h.retries
										  : NULL;
			if (num)
				parse_uint(v, 1ULL << 40, num);
			else if (!strcmp(line, "cmd"))
				cmd[ncmd++] = v;
			else if (!strcmp(line, "file"))
				h.file = v;
			else if (!strcmp(line, "events"))
				h.events = v;
			else if (!strcmp(line, "actor"))
				h.actor = v;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (!ncmd || !h.file || !h.interval || !h.timeout) {
		free(cmd);
		return false;
	}
	if (!h.retries)
		h.retries = 3;
	if (!h.start_interval)
		h.start_interval = 5000;
	/* hutch-monitor exec --pid P --bundle B [--cgroup C]... [--no-new-keyring] -- cmd… */
	size_t n = 0, cap = 8 + 2 * o->ncgroups + ncmd;
	h.argv = calloc(cap, sizeof *h.argv);
	static char pid_s[24];
	snprintf(pid_s, sizeof pid_s, "%d", (int)init);
	h.tmp = malloc(strlen(h.file) + 5);
	h.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (!h.argv || !h.tmp || h.tfd < 0) {
		free(cmd);
		return false;
	}
	strcpy(h.tmp, h.file);
	strcat(h.tmp, ".tmp");
	h.argv[n++] = "hutch-monitor";
	h.argv[n++] = "exec";
	h.argv[n++] = "--pid";
	h.argv[n++] = pid_s;
	h.argv[n++] = "--bundle";
	h.argv[n++] = (char *)o->bundle;
	for (size_t i = 0; i < o->ncgroups; i++) {
		h.argv[n++] = "--cgroup";
		h.argv[n++] = o->cgroups[i];
	}
	if (o->no_new_keyring)
		h.argv[n++] = "--no-new-keyring";
	h.argv[n++] = "--";
	h.cgroups = o->cgroups;
	h.ncgroups = o->ncgroups;
	memcpy(h.argv + n, cmd, ncmd * sizeof *cmd);
	free(cmd);
	h.on = true;
	h.started = mono_ms();
	h.status = STARTING;
	write_state();
	arm(next_interval());
	return true;
}

void health_poll(struct pollfd *p)
{
	p[0] = (struct pollfd){ h.on && !h.stopped ? h.tfd : -1, POLLIN, 0 };
	p[1] = (struct pollfd){ h.pipe, POLLIN, 0 };
}

/* Whether the container's cgroup is frozen (`hutch pause`): v1's freezer.state, v2's
 * cgroup.freeze, in whichever of its directories has the file. */
static bool frozen(void)
{
	for (size_t i = 0; i < h.ncgroups; i++) {
		char path[PATH_MAX], buf[16];
		const char *files[] = { "freezer.state", "cgroup.freeze" };
		for (int f = 0; f < 2; f++) {
			if (snprintf(path, sizeof path, "%s/%s", h.cgroups[i], files[f]) >= (int)sizeof path)
				continue;
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			ssize_t n = read(fd, buf, sizeof buf - 1);
			close(fd);
			if (n > 0 && (buf[0] == '1' || (n >= 6 && memcmp(buf, "FROZEN", 6) == 0) || (n >= 8 && memcmp(buf, "FREEZING", 8) == 0)))
				return true;
		}
	}
	return false;
}

void health_step(const struct pollfd *p)
{
	if (p[1].revents && h.pipe >= 0)
		read_out();
	if (p[0].revents & POLLIN) {
		uint64_t ticks;
		if (read(h.tfd, &ticks, sizeof ticks) < 0)
			return;
		if (h.probe > 0) {
			/* its deadline: the probe command dies with the exec monitor (PDEATHSIG) */
			h.timed_out = true;
			kill(h.probe, SIGKILL);
		} else if (!h.stopped && frozen()) {
			/* paused: no probe until it is thawed (moby stops its checks too) */
			arm(next_interval());
		} else if (!h.stopped) {
			spawn_probe();
		}
	}
}

bool health_reaped(pid_t pid, int st)
{
	if (!h.on || pid <= 0 || pid != h.probe)
		return false;
	h.probe = 0;
	if (h.pipe >= 0) {
		read_out();
		if (h.pipe >= 0)
			close(h.pipe);
		h.pipe = -1;
	}
	if (h.stopped)
		return true;
	if (h.timed_out) {
		char msg[96], d[48];
		go_duration(h.timeout, d, sizeof d);
		snprintf(msg, sizeof msg, "Health check exceeded timeout (%s)", d);
		record(-1, msg, strlen(msg));
	} else {
		record(exit_code(st), h.out, h.len);
	}
	if (h.requested) {
		h.requested = false;
		arm(0);
	} else {
		arm(next_interval());
	}
	return true;
}

void health_request(void)
{
	if (!h.on || h.stopped)
		return;
	if (h.probe > 0)
		h.requested = true;
	else
		arm(0);
}

void health_stop(void)
{
	if (!h.on)
		return;
	h.stopped = true;
	struct itimerspec off = { 0 };
	timerfd_settime(h.tfd, 0, &off, NULL);
	if (h.probe > 0)
		kill(h.probe, SIGKILL);
}
