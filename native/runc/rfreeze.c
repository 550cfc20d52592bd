/* A running container's cgroups read and acted on: its pids (cgroup.procs,
 * for ps and kill --all) and the freezer (v1 freezer.state, else v2
 * cgroup.freeze) for pause, resume and the paused status. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runc.h"

pid_t *cg_pids(const struct rstate *st, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < st->ncgroups; i++) {
		char p[PATH_MAX + 32];
		snprintf(p, sizeof p, "%s/cgroup.procs", st->cgroups[i]);
		FILE *f = fopen(p, "re");
		if (!f)
			continue;
		size_t cap = 16;
		pid_t *v = malloc(cap * sizeof *v);
		long x;
		while (v && fscanf(f, "%ld", &x) == 1) {
			if (*n == cap)
				v = realloc(v, (cap *= 2) * sizeof *v);
			if (v)
				v[(*n)++] = (pid_t)x;
		}
		fclose(f);
		return v;
	}
	return NULL;
}

static const char *freezer_dir(const struct rstate *st, bool *v2)
{
	for (size_t i = 0; i < st->ncgroups; i++)
		if (cg_has(st->cgroups[i], "freezer.state")) {
			*v2 = false;
			return st->cgroups[i];
		}
	for (size_t i = 0; i < st->ncgroups; i++)
		if (cg_has(st->cgroups[i], "cgroup.freeze")) {
			*v2 = true;
			return st->cgroups[i];
		}
	return NULL;
}

int cg_freeze(const struct rstate *st, bool freeze)
{
	bool v2;
	const char *dir = freezer_dir(st, &v2);
	if (!dir) {
		errno = ENOTSUP;
		return -1;
	}
	if (v2)
		return cg_write(dir, "cgroup.freeze", freeze ? "1" : "0");
	if (cg_write(dir, "freezer.state", freeze ? "FROZEN" : "THAWED") < 0)
		return -1;
	/* FREEZING until every task stopped */
	for (int t = 0; t < 1000; t++) {
		char b[32];
		if (cg_read(dir, "freezer.state", b, sizeof b) == 0 && strcmp(b, freeze ? "FROZEN" : "THAWED") == 0)
			return 0;
		struct timespec ts = { 0, 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	errno = ETIMEDOUT;
	return -1;
}

bool cg_frozen(const struct rstate *st)
{
	bool v2;
	char b[32];
	const char *dir = freezer_dir(st, &v2);
	if (!dir || cg_read(dir, v2 ? "cgroup.freeze" : "freezer.state", b, sizeof b) < 0)
		return false;
	return v2 ? strcmp(b, "1") == 0 : strcmp(b, "FROZEN") == 0;
}
