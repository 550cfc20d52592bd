/* hutch-runc's command line: runc's global flags, then one command. Errors are
 * runc's (logrus) lines: `time="…" level=error msg="…"` on stderr, or with
 * --log FILE the line in FILE (JSON with --log-format json, which is what
 * containerd's shim and conmon read back) and the bare message on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runc.h"

struct runc_global g = { .root = "/run/hutch-runc" };

static const char usage[] =
	"usage: hutch-runc [--root DIR] [--log FILE] [--log-format text|json] [--debug] [--systemd-cgroup] COMMAND\n"
	"commands: create, start, run, exec, state, kill, delete, list, ps, pause, resume, update, features, spec\n"
	"(runc's flags; see PROTOCOL.md, hutch-runc)\n";

static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static void vlog_line(const char *level, const char *fmt, va_list ap)
{
	char msg[2048], ts[32];
	vsnprintf(msg, sizeof msg, fmt, ap);
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	FILE *f = NULL;
	if (g.log) {
		int fd = open(g.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		f = fd >= 0 ? fdopen(fd, "a") : NULL;
	}
	FILE *out = f ? f : stderr;
	if (g.log_json) {
		fprintf(out, "{\"level\":\"%s\",\"msg\":\"", level);
		put_escaped(out, msg);
		fprintf(out, "\",\"time\":\"%s\"}\n", ts);
	} else {
		fprintf(out, "time=\"%s\" level=%s msg=\"", ts, level);
		put_escaped(out, msg);
		fputs("\"\n", out);
	}
	if (f) {
		fclose(f);
		/* runc too says a fatal error on stderr when it logs to a file */
		if (strcmp(level, "error") == 0)
			fprintf(stderr, "%s\n", msg);
	}
}

void log_line(const char *level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog_line(level, fmt, ap);
	va_end(ap);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog_line("error", fmt, ap);
	va_end(ap);
	exit(1);
}

const char *opt_val(int argc, char **argv, int *i, const char *lng, const char *shrt)
{
	const char *a = argv[*i];
	/* runc (urfave/cli) takes -name and --name alike */
	if (a[0] == '-' && a[1] == '-')
		a++;
	size_t n = strlen(lng + 1);
	const char *name = NULL;
	if (strncmp(a, lng + 1, n) == 0 && (a[n] == 0 || a[n] == '='))
		name = lng;
	else if (shrt && strcmp(a, shrt) == 0)
		name = shrt, n = strlen(shrt);
	if (!name)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (*i + 1 >= argc)
		die("flag needs an argument: %s", name);
	return argv[++*i];
}

bool opt_flag(const char *arg, const char *lng, const char *shrt)
{
	if (arg[0] == '-' && arg[1] == '-')
		arg++;
	return strcmp(arg, lng + 1) == 0 || (shrt && strcmp(arg, shrt) == 0);
}

static void version(void)
{
	printf("hutch-runc version %s\ncommit: hutch\nspec: %s\n", RUNC_VERSION, RUNC_OCI_VERSION);
}

int main(int argc, char **argv)
{
	int i = 1;
	const char *v;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((v = opt_val(argc, argv, &i, "--root", NULL)))
			g.root = v;
		else if ((v = opt_val(argc, argv, &i, "--log", NULL)))
			g.log = *v ? v : NULL;
		else if ((v = opt_val(argc, argv, &i, "--log-format", NULL))) {
			if (strcmp(v, "json") == 0)
				g.log_json = true;
			else if (strcmp(v, "text") != 0)
				die("unknown log-format %s", v);
		} else if ((v = opt_val(argc, argv, &i, "--rootless", NULL))) {
			if (strcmp(v, "true") == 0)
				die("--rootless=true is not supported: hutch-runc runs as root");
		} else if ((v = opt_val(argc, argv, &i, "--criu", NULL)))
			;
		else if (opt_flag(argv[i], "--debug", NULL))
			g.debug = true;
		else if (opt_flag(argv[i], "--systemd-cgroup", NULL)) {
			/* Accepted: containerd and podman pass it on systemd hosts. The
			 * path is then "slice:prefix:name", made as cgroupfs directories. */
			g.systemd_cgroup = true;
		} else if (opt_flag(argv[i], "--version", "-v")) {
			version();
			return 0;
		} else if (opt_flag(argv[i], "--help", "-h")) {
			fputs(usage, stdout);
			return 0;
		} else {
			die("flag provided but not defined: %s", argv[i]);
		}
	}
	if (g.debug && g.systemd_cgroup)
		log_line("debug", "--systemd-cgroup: cgroupsPath is treated as a cgroupfs path (slice/prefix-name.scope)");
	if (i >= argc) {
		fputs(usage, stderr);
		return 1;
	}
	const char *cmd = argv[i];
	/* the commands that put a process of ours in a container */
	if (strcmp(cmd, "create") == 0 || strcmp(cmd, "run") == 0 || strcmp(cmd, "exec") == 0)
		reexec_sealed(argv);
	argc -= i;
	argv += i;
	if (strcmp(cmd, "create") == 0)
		return cmd_create(argc, argv, false);
	if (strcmp(cmd, "run") == 0)
		return cmd_create(argc, argv, true);
	if (strcmp(cmd, "start") == 0)
		return cmd_start(argc, argv);
	if (strcmp(cmd, "state") == 0)
		return cmd_state(argc, argv);
	if (strcmp(cmd, "kill") == 0)
		return cmd_kill(argc, argv);
	if (strcmp(cmd, "delete") == 0)
		return cmd_delete(argc, argv);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(argc, argv);
	if (strcmp(cmd, "ps") == 0)
		return cmd_ps(argc, argv);
	if (strcmp(cmd, "pause") == 0)
		return cmd_pause(argc, argv, true);
	if (strcmp(cmd, "resume") == 0)
		return cmd_pause(argc, argv, false);
	if (strcmp(cmd, "features") == 0)
		return cmd_features(argc, argv);
	if (strcmp(cmd, "spec") == 0)
		return cmd_spec(argc, argv);
	if (strcmp(cmd, "exec") == 0)
		return runc_exec(argc, argv);
	if (strcmp(cmd, "update") == 0)
		return cmd_update(argc, argv);
	if (strcmp(cmd, "events") == 0 ||
	    strcmp(cmd, "checkpoint") == 0 || strcmp(cmd, "restore") == 0)
		die("hutch-runc %s is not implemented yet", cmd);
	die("No help topic for '%s'", cmd);
}
