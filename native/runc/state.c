/* <root>/<id>/: state.json (ours, read back with the monitor's JSON parser),
 * annotations.json (the config's annotations, as `state` prints them) and,
 * between create and start, exec.fifo. The status is never stored: it is
 * read from the init itself (pid + start time, so a reused pid is not taken
 * for ours), the fifo and the freezer, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../monitor/json.h"
#include "../monitor/util.h"
#include "runc.h"

static bool id_ok(const char *id)
{
	if (!*id || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 200)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("_+-.", *p)))
			return false;
	return true;
}

void state_dir(const char *id, char *buf, size_t len)
{
	if (!id_ok(id))
		die("invalid id format: %s", id);
	if ((size_t)snprintf(buf, len, "%s/%s", g.root, id) >= len)
		die("state directory for %s: name too long", id);
}

void now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

void json_put_str(int fd, const char *s)
{
	char buf[8192];
	size_t n = 0;
	buf[n++] = '"';
	for (; *s; s++) {
		if (n > sizeof buf - 8) {
			write_all(fd, buf, n);
			n = 0;
		}
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(buf + n, 8, "\\u%04x", c);
		} else {
			buf[n++] = (char)c;
		}
	}
	buf[n++] = '"';
	write_all(fd, buf, n);
}

static void copy_str(char *dst, size_t len, const struct jv *v)
{
	snprintf(dst, len, "%s", v && v->type == J_STR ? v->str : "");
}

void state_read(const char *id, struct rstate *st)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	state_dir(id, dir, sizeof dir);
	snprintf(path, sizeof path, "%s/state.json", dir);
	size_t len;
	char *text = slurp(path, &len);
	if (!text)
		die("container does not exist");
	struct arena a;
	const char *perr;
	const struct jv *root = NULL;
	if (arena_init(&a, 64 * len + 65536) == 0)
		root = json_parse(&a, text, len, &perr);
	if (!root || root->type != J_OBJ)
		die("reading the state of %s (%s): not valid JSON", id, path);
	memset(st, 0, sizeof *st);
	copy_str(st->id, sizeof st->id, json_get(root, "id"));
	copy_str(st->bundle, sizeof st->bundle, json_get(root, "bundle"));
	copy_str(st->rootfs, sizeof st->rootfs, json_get(root, "rootfs"));
	copy_str(st->created, sizeof st->created, json_get(root, "created"));
	const struct jv *v;
	unsigned long long n;
	if ((v = json_get(root, "pid")) && v->type == J_NUM && parse_uint(v->str, INT_MAX, &n) == 0)
		st->pid = (pid_t)n;
	if ((v = json_get(root, "start")) && v->type == J_NUM && parse_uint(v->str, ULLONG_MAX, &n) == 0)
		st->start = n;
	st->own_pidns = (v = json_get(root, "ownPidns")) && v->type == J_TRUE;
	if ((v = json_get(root, "cgroups")) && v->type == J_ARR)
		for (const struct jv *e = v->child; e && st->ncgroups < RUNC_MAX_CGROUPS; e = e->next)
			if (e->type == J_STR)
				st->cgroups[st->ncgroups++] = strdup(e->str);
	arena_release(&a);
	free(text);
	snprintf(path, sizeof path, "%s/annotations.json", dir);
	st->annotations = slurp(path, &len);
	if (!st->annotations)
		st->annotations = strdup("");
}

int state_write(const struct rstate *st)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 32], path[PATH_MAX + 32];
	state_dir(st->id, dir, sizeof dir);
	snprintf(tmp, sizeof tmp, "%s/.state.json.tmp", dir);
	snprintf(path, sizeof path, "%s/state.json", dir);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	char num[64];
	write_str(fd, "{\"id\":");
	json_put_str(fd, st->id);
	snprintf(num, sizeof num, ",\"pid\":%d,\"start\":%llu,\"ownPidns\":%s", (int)st->pid, st->start,
		 st->own_pidns ? "true" : "false");
	write_str(fd, num);
	write_str(fd, ",\"bundle\":");
	json_put_str(fd, st->bundle);
	write_str(fd, ",\"rootfs\":");
	json_put_str(fd, st->rootfs);
	write_str(fd, ",\"created\":");
	json_put_str(fd, st->created);
	write_str(fd, ",\"cgroups\":[");
	for (size_t i = 0; i < st->ncgroups; i++) {
		if (i)
			write_str(fd, ",");
		json_put_str(fd, st->cgroups[i]);
	}
	int r = write_str(fd, "]}\n");
	if (r < 0 || close(fd) < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (st->annotations && *st->annotations) {
		char ann[PATH_MAX + 32];
		snprintf(ann, sizeof ann, "%s/annotations.json", dir);
		int afd = open(ann, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (afd < 0 || write_str(afd, st->annotations) < 0 || close(afd) < 0)
			return -1;
	}
	return rename(tmp, path);
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	char state = p[2];
	if (state == 'Z' || state == 'X')
		return 0; /* exited; whoever is its parent has not reaped it yet */
	/* fields after the comm: 3 state ... 22 starttime */
	p += 2;
	for (int f = 3; f < 22 && p; f++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoull(p, NULL, 10) : 0;
}

bool state_alive(const struct rstate *st)
{
	if (st->pid <= 0)
		return false;
	unsigned long long s = proc_start_time(st->pid);
	return s && s == st->start;
}

const char *state_status(const struct rstate *st)
{
	if (!state_alive(st))
		return "stopped";
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/%s/exec.fifo", g.root, st->id);
	if (access(path, F_OK) == 0)
		return "created";
	if (cg_frozen(st))
		return "paused";
	return "running";
}

void state_print_json(int fd, const struct rstate *st, bool indent, const char *owner)
{
	const char *status = state_status(st);
	const char *nl = indent ? "\n  " : "", *sp = indent ? " " : "";
	char num[64];
	int pid = strcmp(status, "stopped") == 0 ? 0 : (int)st->pid;
	dprintf(fd, "{%s\"ociVersion\":%s\"%s\",%s\"id\":%s", nl, sp, RUNC_OCI_VERSION, nl, sp);
	json_put_str(fd, st->id);
	snprintf(num, sizeof num, ",%s\"pid\":%s%d,%s\"status\":%s", nl, sp, pid, nl, sp);
	write_str(fd, num);
	json_put_str(fd, status);
	dprintf(fd, ",%s\"bundle\":%s", nl, sp);
	json_put_str(fd, st->bundle);
	dprintf(fd, ",%s\"rootfs\":%s", nl, sp);
	json_put_str(fd, st->rootfs);
	dprintf(fd, ",%s\"created\":%s", nl, sp);
	json_put_str(fd, st->created);
	dprintf(fd, ",%s\"owner\":%s", nl, sp);
	json_put_str(fd, owner);
	if (st->annotations && *st->annotations && strcmp(st->annotations, "{}") != 0)
		dprintf(fd, ",%s\"annotations\":%s%s", nl, sp, st->annotations);
	write_str(fd, indent ? "\n}" : "}");
}

static void put_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The config's annotations as a JSON object text (strings only, as the spec
 * has them), for state. */
char *annotations_json(const struct jv *root)
{
	const struct jv *a = json_get(root, "annotations");
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	if (!a || a->type != J_OBJ || !a->len || !(f = open_memstream(&buf, &len)))
		return strdup("");
	fputc('{', f);
	bool first = true;
	for (const struct jv *e = a->child; e; e = e->next) {
		if (e->type != J_STR)
			continue;
		if (!first)
			fputc(',', f);
		first = false;
		put_json_str(f, e->key);
		fputc(':', f);
		put_json_str(f, e->str);
	}
	fputc('}', f);
	fclose(f);
	return buf ? buf : strdup("");
}
