/* hutch-monitor: the small, single-threaded program that creates containers and
 * stays their parent (`run`), enters them (`exec`), and adds or removes an
 * interface of a running one (`net-attach`, `net-detach`). The command line and the
 * sync-fd protocol are in ../PROTOCOL.md; this file only parses arguments.
 *
 * Node cannot do this work itself: it is multithreaded, and setns() into a
 * mount namespace or clone() into new ones must come from a single thread. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "report.h"
#include "tinyinit.h"
#include "util.h"
#include "verbs.h"

static const char usage[] =
	"usage: hutch-monitor run --bundle DIR --id ID --log FILE --exit-file FILE\n"
	"                         [--cgroup DIR]... [--sync-fd N] [--attach] [--stdin] [--pid-file FILE]\n"
	"                         [--no-new-keyring] [--detach-keys HEX]\n"
	"       hutch-monitor exec --pid PID --bundle DIR [--cgroup DIR]... [--tty] [--stdin] [--detach]\n"
	"                          [--sync-fd N] [--input-fd N] [--env K=V]... [--cwd DIR] [--no-new-keyring]\n"
	"                          [--serve DIR]\n"
	"                          -- ARGV...\n"
	"       hutch-monitor net-attach --pid PID --network SPEC [--sync-fd N]\n"
	"       hutch-monitor net-detach --pid PID --veth NAME [--sync-fd N]\n";

/* exit status for a usage error: 1 for run (like any setup failure), 125 for
 * exec (its own failures are 125), 2 for no verb at all */
static int usage_code = 2;

__attribute__((noreturn)) static void bad_usage(const char *msg, const char *arg, int sync_fd)
{
	char line[512];
	snprintf(line, sizeof line, "%s%s%s", msg, arg ? ": " : "", arg ? arg : "");
	/* with a sync fd, the engine says it in one line of its own */
	if (sync_fd >= 0) {
		report_failure(sync_fd, "usage", "args", EINVAL, line);
		exit(usage_code);
	}
	write_str(2, "hutch-monitor: ");
	write_str(2, line);
	write_str(2, "\n");
	write_str(2, usage);
	exit(usage_code);
}

/* "--name VALUE" or "--name=VALUE". Returns the value (advancing *i) or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int sync_fd)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n])
		return NULL;
	if (*i + 1 >= argc)
		bad_usage("missing value for", name, sync_fd);
	return argv[++*i];
}

static int parse_fd(const char *s)
{
	unsigned long long v;
	if (parse_uint(s, INT_MAX, &v) < 0)
		bad_usage("bad fd", s, -1);
	return (int)v;
}

static int main_run(int argc, char **argv)
{
	char *cgroups[argc];
	struct run_opts o = { .sync_fd = -1, .cgroups = cgroups };
	const char *v;
	usage_code = 1;
	/* the sync fd first, so that usage errors can be reported on it too */
	for (int i = 2; i < argc; i++)
		if ((v = opt_value(argc, argv, &i, "--sync-fd", -1)))
			o.sync_fd = parse_fd(v);
	for (int i = 2; i < argc; i++) {
		if ((v = opt_value(argc, argv, &i, "--bundle", o.sync_fd)))
			o.bundle = v;
		else if ((v = opt_value(argc, argv, &i, "--id", o.sync_fd)))
			o.id = v;
		else if ((v = opt_value(argc, argv, &i, "--log", o.sync_fd)))
			o.log = v;
		else if ((v = opt_value(argc, argv, &i, "--exit-file", o.sync_fd)))
			o.exit_file = v;
		else if ((v = opt_value(argc, argv, &i, "--pid-file", o.sync_fd)))
			o.pid_file = v;
		else if ((v = opt_value(argc, argv, &i, "--detach-keys", o.sync_fd))) {
			unsigned char k[ATTACH_KEYS_MAX];
			size_t nk;
			if (attach_parse_keys(v, k, &nk) < 0)
				bad_usage("bad --detach-keys (hex, 1 to 16 bytes)", v, o.sync_fd);
			o.detach_keys = v;
		}
		else if ((v = opt_value(argc, argv, &i, "--cgroup", o.sync_fd)))
			cgroups[o.ncgroups++] = (char *)v;
		else if ((v = opt_value(argc, argv, &i, "--sync-fd", o.sync_fd)))
			;
		else if (strcmp(argv[i], "--attach") == 0)
			o.attach = true;
		else if (strcmp(argv[i], "--stdin") == 0)
			o.use_stdin = true;
		else if (strcmp(argv[i], "--no-new-keyring") == 0)
			o.no_new_keyring = true;
		else
			bad_usage("unknown argument", argv[i], o.sync_fd);
	}
	if (!o.bundle || !o.log || !o.exit_file)
		bad_usage("run needs --bundle, --log and --exit-file", NULL, o.sync_fd);
	return cmd_run(&o);
}

static int main_exec(int argc, char **argv)
{
	char *cgroups[argc], *env[argc];
	struct exec_opts o = { .cgroups = cgroups, .env = env, .sync_fd = -1, .input_fd = -1 };
	const char *v;
	int i;
	usage_code = 125;
	/* the sync fd first, so that usage errors can be reported on it too */
	for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
		if ((v = opt_value(argc, argv, &i, "--sync-fd", -1)))
			o.sync_fd = parse_fd(v);
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if ((v = opt_value(argc, argv, &i, "--pid", o.sync_fd))) {
			unsigned long long p;
			if (parse_uint(v, INT_MAX, &p) < 0 || p == 0)
				bad_usage("bad pid", v, o.sync_fd);
			o.pid = (pid_t)p;
		} else if ((v = opt_value(argc, argv, &i, "--bundle", o.sync_fd)))
			o.bundle = v;
		else if ((v = opt_value(argc, argv, &i, "--cgroup", o.sync_fd)))
			cgroups[o.ncgroups++] = (char *)v;
		else if ((v = opt_value(argc, argv, &i, "--env", o.sync_fd)))
			env[o.nenv++] = (char *)v;
		else if ((v = opt_value(argc, argv, &i, "--cwd", o.sync_fd)))
			o.cwd = v;
		else if ((v = opt_value(argc, argv, &i, "--sync-fd", o.sync_fd)))
			;
		else if ((v = opt_value(argc, argv, &i, "--input-fd", o.sync_fd)))
			o.input_fd = parse_fd(v);
		else if ((v = opt_value(argc, argv, &i, "--user", o.sync_fd)))
			o.user = v;
		else if ((v = opt_value(argc, argv, &i, "--serve", o.sync_fd)))
			o.serve = v;
		else if (strcmp(argv[i], "--privileged") == 0)
			o.privileged = true;
		else if (strcmp(argv[i], "--tty") == 0)
			o.tty = true;
		else if (strcmp(argv[i], "--stdin") == 0)
			o.use_stdin = true;
		else if (strcmp(argv[i], "--detach") == 0)
			o.detach = true;
		else if (strcmp(argv[i], "--no-new-keyring") == 0)
			o.no_new_keyring = true;
		else
			bad_usage("unknown argument", argv[i], o.sync_fd);
	}
	if (!o.pid || !o.bundle || i >= argc)
		bad_usage("exec needs --pid, --bundle and a command after --", NULL, o.sync_fd);
	if (o.serve && (!o.tty || !o.detach))
		bad_usage("--serve needs --tty and --detach", o.serve, o.sync_fd);
	if (o.cwd && o.cwd[0] != '/')
		bad_usage("--cwd must be absolute", o.cwd, o.sync_fd);
	o.argv = argv + i;
	return cmd_exec(&o);
}

/* net-attach and net-detach: the same few options; each needs its own one. */
static int main_net(int argc, char **argv, bool attach)
{
	struct net_opts o = { .sync_fd = -1 };
	const char *v;
	usage_code = 1;
	for (int i = 2; i < argc; i++)
		if ((v = opt_value(argc, argv, &i, "--sync-fd", -1)))
			o.sync_fd = parse_fd(v);
	for (int i = 2; i < argc; i++) {
		if ((v = opt_value(argc, argv, &i, "--pid", o.sync_fd))) {
			unsigned long long p;
			if (parse_uint(v, INT_MAX, &p) < 0 || p == 0)
				bad_usage("bad pid", v, o.sync_fd);
			o.pid = (pid_t)p;
		} else if (attach && (v = opt_value(argc, argv, &i, "--network", o.sync_fd)))
			o.network = v;
		else if (!attach && (v = opt_value(argc, argv, &i, "--veth", o.sync_fd)))
			o.veth = v;
		else if ((v = opt_value(argc, argv, &i, "--sync-fd", o.sync_fd)))
			;
		else
			bad_usage("unknown argument", argv[i], o.sync_fd);
	}
	if (attach && (!o.pid || !o.network))
		bad_usage("net-attach needs --pid and --network", NULL, o.sync_fd);
	if (!attach && (!o.pid || !o.veth))
		bad_usage("net-detach needs --pid and --veth", NULL, o.sync_fd);
	return attach ? cmd_net_attach(&o) : cmd_net_detach(&o);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return main_run(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "exec") == 0)
		return main_exec(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "init") == 0)
		return main_init(argc, argv);
	if (argc >= 2 && (strcmp(argv[1], "net-attach") == 0 || strcmp(argv[1], "net-detach") == 0))
		return main_net(argc, argv, strcmp(argv[1], "net-attach") == 0);
	bad_usage("unknown verb", argc >= 2 ? argv[1] : NULL, -1);
}
