/* update: new limits for a created, running or paused container, as runc's:
 * `--resources F` (a LinuxResources JSON object; "-" reads stdin: what
 * containerd's shim sends) and/or the single-value flags, which override it.
 * Memory, cpu and pids, written by the same code as create's (rcgroup.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../monitor/arena.h"
#include "../monitor/json.h"
#include "../monitor/util.h"
#include "runc.h"

static const struct {
	const char *flag, *group, *key;
	bool string;
} flags[] = {
	{ "--memory", "memory", "limit", false },
	{ "--memory-swap", "memory", "swap", false },
	{ "--memory-reservation", "memory", "reservation", false },
	{ "--cpu-shares", "cpu", "shares", false },
	{ "--cpu-period", "cpu", "period", false },
	{ "--cpu-quota", "cpu", "quota", false },
	{ "--cpuset-cpus", "cpu", "cpus", true },
	{ "--cpuset-mems", "cpu", "mems", true },
	{ "--pids-limit", "pids", "limit", false },
};

int cmd_update(int argc, char **argv)
{
	const char *file = NULL, *vals[ARRAY_LEN(flags)] = { 0 }, *v;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if ((v = opt_val(argc, argv, &i, "--resources", "-r"))) {
			file = v;
			continue;
		}
		unsigned k = 0;
		for (; k < ARRAY_LEN(flags); k++)
			if ((v = opt_val(argc, argv, &i, flags[k].flag, NULL)))
				break;
		if (k == ARRAY_LEN(flags))
			die("flag provided but not defined: %s", argv[i]);
		if (!flags[k].string && strspn(v, "-0123456789") != strlen(v))
			die("invalid value for %s: %s (a number of bytes or units)", flags[k].flag, v);
		vals[k] = v;
	}
	if (i >= argc)
		die("\"update\" requires exactly 1 argument(s)");
	struct rstate st;
	state_read(argv[i], &st);
	if (strcmp(state_status(&st), "stopped") == 0)
		die("container not running");

	/* the file's object, then the flags' values merged over it, as one JSON text */
	size_t len = 0;
	char *text = NULL;
	if (file) {
		int fd = strcmp(file, "-") == 0 ? 0 : open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || !(text = slurp_fd(fd, &len)))
			die("reading %s: %s", file, strerror(errno));
		if (fd > 0)
			close(fd);
	}
	struct arena a;
	if (arena_init(&a, 64 * len + 65536) < 0)
		die("update: out of memory");
	const char *perr;
	const struct jv *res = text && len ? json_parse(&a, text, len, &perr) : NULL;
	if (text && len && (!res || res->type != J_OBJ))
		die("parsing %s: %s", file, res ? "not an object" : perr);
	char *merged = NULL;
	size_t mlen = 0;
	FILE *f = open_memstream(&merged, &mlen);
	if (!f)
		die("update: out of memory");
	static const char *groups[] = { "memory", "cpu", "pids" };
	fputc('{', f);
	for (unsigned gi = 0; gi < ARRAY_LEN(groups); gi++) {
		fprintf(f, "%s\"%s\":{", gi ? "," : "", groups[gi]);
		bool first = true;
		const struct jv *grp = json_get(res, groups[gi]);
		/* numbers and strings of the file's group that no flag overrides */
		for (const struct jv *e = grp && grp->type == J_OBJ ? grp->child : NULL; e; e = e->next) {
			bool over = false;
			for (unsigned k = 0; k < ARRAY_LEN(flags); k++)
				over |= vals[k] && strcmp(flags[k].group, groups[gi]) == 0 && strcmp(flags[k].key, e->key) == 0;
			if (over || (e->type != J_NUM && e->type != J_STR))
				continue;
			if (e->type == J_NUM)
				fprintf(f, "%s\"%s\":%s", first ? "" : ",", e->key, e->str);
			else
				fprintf(f, "%s\"%s\":\"%s\"", first ? "" : ",", e->key, e->str);
			first = false;
		}
		for (unsigned k = 0; k < ARRAY_LEN(flags); k++)
			if (vals[k] && strcmp(flags[k].group, groups[gi]) == 0) {
				fprintf(f, flags[k].string ? "%s\"%s\":\"%s\"" : "%s\"%s\":%s", first ? "" : ",", flags[k].key, vals[k]);
				first = false;
			}
		fputc('}', f);
	}
	fputc('}', f);
	fclose(f);
	struct arena b;
	if (arena_init(&b, 64 * mlen + 65536) < 0)
		die("update: out of memory");
	const struct jv *all = json_parse(&b, merged, mlen, &perr);
	if (!all)
		die("update: %s", perr);
	char err[600];
	if (cg_resources(&st, all, err, sizeof err) < 0)
		die("unable to set cgroup resources: %s", err);
	return 0;
}
