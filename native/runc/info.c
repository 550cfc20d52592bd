/* list, ps, features and spec: the commands that report rather than act.
 * spec writes runc 1.1's own config.json templates (templates.c), so a
 * bundle made with either runtime is the same. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../monitor/util.h"
#include "runc.h"

int cmd_features(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	write_str(1, features_json);
	return 0;
}

int cmd_spec(int argc, char **argv)
{
	const char *bundle = NULL, *v;
	bool rootless = false;
	for (int i = 1; i < argc; i++) {
		if ((v = opt_val(argc, argv, &i, "--bundle", "-b")))
			bundle = v;
		else if (opt_flag(argv[i], "--rootless", NULL))
			rootless = true;
		else
			die("flag provided but not defined: %s", argv[i]);
	}
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s%sconfig.json", bundle ? bundle : "", bundle ? "/" : "");
	if (access(path, F_OK) == 0)
		die("File %s exists. Remove it first", path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		die("writing %s: %s", path, strerror(errno));
	if (rootless)
		dprintf(fd, spec_rootless, (unsigned)geteuid(), (unsigned)getegid());
	else
		write_str(fd, spec_default);
	close(fd);
	return 0;
}

/* The containers of --root, sorted by id (readdir order is not). */
static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t ids(char ***out)
{
	DIR *d = opendir(g.root);
	size_t n = 0, cap = 16;
	char **v = malloc(cap * sizeof *v);
	struct dirent *e;
	while (d && v && (e = readdir(d))) {
		char p[PATH_MAX + 300];
		snprintf(p, sizeof p, "%s/%s/state.json", g.root, e->d_name);
		if (e->d_name[0] == '.' || access(p, F_OK) < 0)
			continue;
		if (n == cap)
			v = realloc(v, (cap *= 2) * sizeof *v);
		if (v)
			v[n++] = strdup(e->d_name);
	}
	if (d)
		closedir(d);
	if (v)
		qsort(v, n, sizeof *v, cmp);
	*out = v;
	return v ? n : 0;
}

/* The owner's name from /etc/passwd (no NSS: this binary is static). */
static void owner_of(const char *id, char *buf, size_t len)
{
	char p[PATH_MAX + 300], line[1024];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", g.root, id);
	if (stat(p, &st) < 0) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "#%u", (unsigned)st.st_uid);
	FILE *f = fopen("/etc/passwd", "re");
	while (f && fgets(line, sizeof line, f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 && strtoul(c2 + 1, NULL, 10) == st.st_uid) {
			snprintf(buf, len, "%.*s", (int)(c1 - line), line);
			break;
		}
	}
	if (f)
		fclose(f);
}

/* Go's tabwriter as runc sets it: columns of at least 12, padded by 3. */
static void row(const char *const *cells, size_t n, const size_t *w)
{
	for (size_t i = 0; i < n; i++)
		if (i + 1 < n)
			printf("%-*s", (int)w[i], cells[i]);
		else
			printf("%s\n", cells[i]);
}

int cmd_list(int argc, char **argv)
{
	bool json = false, quiet = false;
	const char *v;
	for (int i = 1; i < argc; i++) {
		if ((v = opt_val(argc, argv, &i, "--format", "-f"))) {
			if (strcmp(v, "json") == 0)
				json = true;
			else if (strcmp(v, "table") != 0)
				die("invalid format option");
		} else if (opt_flag(argv[i], "--quiet", "-q"))
			quiet = true;
		else
			die("flag provided but not defined: %s", argv[i]);
	}
	char **id;
	size_t n = ids(&id);
	struct rstate *st = calloc(n + 1, sizeof *st);
	char (*owner)[64] = calloc(n + 1, sizeof *owner);
	for (size_t i = 0; i < n; i++) {
		state_read(id[i], &st[i]);
		owner_of(id[i], owner[i], sizeof owner[i]);
	}
	fflush(stdout);
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", id[i]);
		return 0;
	}
	if (json) {
		if (!n) {
			printf("null\n");
			return 0;
		}
		write_str(1, "[");
		for (size_t i = 0; i < n; i++) {
			if (i)
				write_str(1, ",");
			state_print_json(1, &st[i], false, owner[i]);
		}
		write_str(1, "]\n");
		return 0;
	}
	static const char *head[] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
	char (*pid)[16] = calloc(n + 1, sizeof *pid);
	const char **status = calloc(n + 1, sizeof *status);
	size_t w[6];
	for (int c = 0; c < 6; c++)
		w[c] = strlen(head[c]);
	for (size_t i = 0; i < n; i++) {
		status[i] = state_status(&st[i]);
		snprintf(pid[i], sizeof pid[i], "%d", strcmp(status[i], "stopped") == 0 ? 0 : (int)st[i].pid);
		const char *cells[] = { id[i], pid[i], status[i], st[i].bundle, st[i].created, owner[i] };
		for (int c = 0; c < 6; c++)
			if (strlen(cells[c]) > w[c])
				w[c] = strlen(cells[c]);
	}
	for (int c = 0; c < 6; c++)
		w[c] = w[c] + 3 < 12 ? 12 : w[c] + 3;
	row(head, 6, w);
	for (size_t i = 0; i < n; i++) {
		const char *cells[] = { id[i], pid[i], status[i], st[i].bundle, st[i].created, owner[i] };
		row(cells, 6, w);
	}
	return 0;
}

int cmd_ps(int argc, char **argv)
{
	bool json = false;
	const char *v;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((v = opt_val(argc, argv, &i, "--format", "-f"))) {
			if (strcmp(v, "json") == 0)
				json = true;
			else if (strcmp(v, "table") != 0)
				die("invalid format option");
		} else
			die("flag provided but not defined: %s", argv[i]);
	}
	if (i >= argc)
		die("\"ps\" requires a minimum of 1 argument(s)");
	struct rstate st;
	state_read(argv[i], &st);
	if (!state_alive(&st))
		die("container not running");
	size_t n;
	pid_t *pids = cg_pids(&st, &n);
	if (json) {
		if (i + 1 < argc)
			die("too many arguments: ps options are not allowed with --format json");
		write_str(1, "[");
		for (size_t k = 0; k < n; k++)
			dprintf(1, "%s%d", k ? "," : "", (int)pids[k]);
		write_str(1, "]\n");
		return 0;
	}
	/* `ps` with the given options (-ef by default), lines of our pids only */
	char cmd[4096] = "ps";
	if (i + 1 >= argc)
		strcat(cmd, " -ef");
	for (int k = i + 1; k < argc; k++) {
		if (strspn(argv[k], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-,=_") != strlen(argv[k]) ||
		    strlen(cmd) + strlen(argv[k]) + 2 >= sizeof cmd)
			die("ps option not allowed: %s", argv[k]);
		strcat(cmd, " ");
		strcat(cmd, argv[k]);
	}
	FILE *f = popen(cmd, "re");
	char line[4096];
	int col = -1;
	if (!f || !fgets(line, sizeof line, f))
		die("running ps: %s", strerror(errno));
	fputs(line, stdout);
	/* the PID column's index among the header's words */
	char hdr[4096];
	snprintf(hdr, sizeof hdr, "%s", line);
	int k = 0;
	for (char *sv, *w = strtok_r(hdr, " \t\n", &sv); w; w = strtok_r(NULL, " \t\n", &sv), k++)
		if (strcmp(w, "PID") == 0)
			col = k;
	if (col < 0)
		die("ps: no PID column in its output");
	while (fgets(line, sizeof line, f)) {
		char copy[4096], *sv, *w;
		snprintf(copy, sizeof copy, "%s", line);
		w = strtok_r(copy, " \t\n", &sv);
		for (int c = 0; c < col && w; c++)
			w = strtok_r(NULL, " \t\n", &sv);
		long p = w ? strtol(w, NULL, 10) : -1;
		for (size_t q = 0; q < n; q++)
			if (pids[q] == p)
				fputs(line, stdout);
	}
	pclose(f);
	return 0;
}
