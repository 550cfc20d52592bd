/* The container's cgroups as runc makes them with its cgroupfs driver: one
 * directory per v1 hierarchy and one in the v2 tree (a hybrid host has both),
 * named by linux.cgroupsPath: "/a/b" from each hierarchy's root, "a/b" (or no
 * path: the id) under our own cgroup, and the systemd form "slice:prefix:name"
 * as /slice/prefix-name.scope. linux.resources is written before the init
 * joins (it joins before its first mount: init.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "../monitor/json.h"
#include "../monitor/util.h"
#include "runc.h"

struct hier {
	char mnt[PATH_MAX];   /* mount point */
	char own[PATH_MAX];   /* our cgroup in it, relative to the mount's root */
	bool v2;
};

/* The hierarchies from /proc/self/mountinfo, with our own cgroup in each from
 * /proc/self/cgroup. */
static size_t hierarchies(struct hier *h, size_t max)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	size_t n = 0;
	char line[4096];
	char opts[RUNC_MAX_CGROUPS][512];
	while (f && n < max && fgets(line, sizeof line, f)) {
		char root[PATH_MAX], mnt[PATH_MAX], fstype[64], sopts[512];
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(dash + 3, "%63s %*s %511s", fstype, sopts) != 2)
			continue;
		bool v2 = strcmp(fstype, "cgroup2") == 0;
		if (!v2 && strcmp(fstype, "cgroup") != 0)
			continue;
		/* Only what is still visible there: a hierarchy mounted over (a
		 * tmpfs on the unified one, say, to hide a hybrid host's v2) is
		 * not one we can use. */
		struct statfs fs;
		if (statfs(mnt, &fs) < 0 || fs.f_type != (v2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC))
			continue;
		snprintf(h[n].mnt, sizeof h[n].mnt, "%s", mnt);
		h[n].v2 = v2;
		h[n].own[0] = 0;
		snprintf(opts[n], sizeof opts[n], ",%s,", sopts);
		n++;
	}
	if (f)
		fclose(f);
	f = fopen("/proc/self/cgroup", "re");
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		const char *ctrls = c1 + 1, *path = c2 + 1;
		for (size_t i = 0; i < n; i++) {
			bool match = h[i].v2 ? !*ctrls : false;
			if (!h[i].v2 && *ctrls) {
				/* every controller of the line is among the mount's options */
				match = true;
				char list[512];
				snprintf(list, sizeof list, "%s", ctrls);
				for (char *sv, *c = strtok_r(list, ",", &sv); c; c = strtok_r(NULL, ",", &sv)) {
					char k[520];
					snprintf(k, sizeof k, ",%s,", c);
					if (!strstr(opts[i], k))
						match = false;
				}
			}
			if (match)
				snprintf(h[i].own, sizeof h[i].own, "%s", strcmp(path, "/") == 0 ? "" : path);
		}
	}
	if (f)
		fclose(f);
	return n;
}

/* linux.cgroupsPath -> path under each hierarchy ("/..." absolute, else
 * relative to our own cgroup). */
static void cg_path(const char *id, const struct jv *lx, char *out, size_t len)
{
	const struct jv *p = json_get(lx, "cgroupsPath");
	const char *v = p && p->type == J_STR ? p->str : "";
	const char *c1 = strchr(v, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (v[0] != '/' && c2 && !strchr(c2 + 1, ':')) {
		/* slice:prefix:name, without systemd */
		int sl = (int)(c1 - v), pl = (int)(c2 - c1 - 1);
		const char *slice = sl ? v : "system.slice";
		if (!sl)
			sl = (int)strlen(slice);
		if (pl)
			snprintf(out, len, "/%.*s/%.*s-%s.scope", sl, slice, pl, c1 + 1, c2 + 1);
		else
			snprintf(out, len, "/%.*s/%s", sl, slice, c2 + 1);
		return;
	}
	snprintf(out, len, "%s", *v ? v : id);
}

int cg_write(const char *dir, const char *file, const char *val)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof p, "%s/%s", dir, file);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = write_all(fd, val, strlen(val));
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

int cg_read(const char *dir, const char *file, char *buf, size_t len)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof p, "%s/%s", dir, file);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

bool cg_has(const char *dir, const char *file)
{
	char p[PATH_MAX + 64];
	snprintf(p, sizeof p, "%s/%s", dir, file);
	return access(p, F_OK) == 0;
}

/* mkdir -p of dir below mnt; in a cpuset hierarchy each new level gets its
 * parent's cpus and mems (an empty cpuset takes no tasks); in v2 each
 * ancestor hands its controllers down. */
static int mkdir_chain(const struct hier *h, const char *dir)
{
	char p[PATH_MAX];
	size_t ml = strlen(h->mnt);
	snprintf(p, sizeof p, "%s", dir);
	for (char *s = p + ml + 1; s && *s;) {
		char *slash = strchr(s, '/');
		if (slash)
			*slash = 0;
		char parent[PATH_MAX];
		snprintf(parent, sizeof parent, "%.*s", (int)(strrchr(p, '/') - p), p);
		if (h->v2) {
			static const char *ctl[] = { "+cpu", "+cpuset", "+memory", "+pids", "+io", "+hugetlb" };
			char have[512] = "";
			cg_read(parent, "cgroup.controllers", have, sizeof have);
			for (unsigned i = 0; i < ARRAY_LEN(ctl); i++)
				if (strstr(have, ctl[i] + 1))
					cg_write(parent, "cgroup.subtree_control", ctl[i]);
		}
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
		if (!h->v2 && cg_has(p, "cpuset.cpus")) {
			char v[1024];
			if (cg_read(p, "cpuset.cpus", v, sizeof v) == 0 && !*v && cg_read(parent, "cpuset.cpus", v, sizeof v) == 0)
				cg_write(p, "cpuset.cpus", v);
			if (cg_read(p, "cpuset.mems", v, sizeof v) == 0 && !*v && cg_read(parent, "cpuset.mems", v, sizeof v) == 0)
				cg_write(p, "cpuset.mems", v);
		}
		if (!slash)
			break;
		*slash = '/';
		s = slash + 1;
	}
	return 0;
}

/* A number of linux.resources: true when present (and set in *out). */
bool jnum(const struct jv *obj, const char *key, long long *out)
{
	const struct jv *v = json_get(obj, key);
	if (!v || v->type != J_NUM)
		return false;
	*out = strtoll(v->str, NULL, 10);
	return true;
}

const char *jstr(const struct jv *obj, const char *key)
{
	const struct jv *v = json_get(obj, key);
	return v && v->type == J_STR && *v->str ? v->str : NULL;
}

/* Writes val to file in whichever of the directories has it. */
static int put(const struct rstate *st, const char *file, const char *val, bool required, char *err, size_t errlen)
{
	bool found = false;
	for (size_t i = 0; i < st->ncgroups; i++) {
		if (!cg_has(st->cgroups[i], file))
			continue;
		found = true;
		if (cg_write(st->cgroups[i], file, val) < 0) {
			snprintf(err, errlen, "failed to write %s to %s/%s: %s", val, st->cgroups[i], file, strerror(errno));
			return -1;
		}
	}
	if (!found && required) {
		snprintf(err, errlen, "cgroup file %s not found (is that controller mounted?)", file);
		return -1;
	}
	return 0;
}

static int putn(const struct rstate *st, const char *file, long long v, bool required, char *err, size_t errlen)
{
	char b[32];
	snprintf(b, sizeof b, "%lld", v);
	return put(st, file, b, required, err, errlen);
}

bool cg_is_v2(const char *dir)
{
	return cg_has(dir, "cgroup.controllers");
}

static bool any_v1(const struct rstate *st)
{
	for (size_t i = 0; i < st->ncgroups; i++)
		if (!cg_is_v2(st->cgroups[i]))
			return true;
	return false;
}

int cg_resources(const struct rstate *st, const struct jv *res, char *err, size_t el)
{
	bool v1 = any_v1(st);
	long long v, lim = 0, swap = 0;
	const struct jv *m = json_get(res, "memory");
	if (m && m->type == J_OBJ) {
		bool hl = jnum(m, "limit", &lim), hs = jnum(m, "swap", &swap);
		if (v1) {
			if ((hl && putn(st, "memory.limit_in_bytes", lim, true, err, el) < 0) ||
			    (hs && putn(st, "memory.memsw.limit_in_bytes", swap, false, err, el) < 0) ||
			    (jnum(m, "reservation", &v) && putn(st, "memory.soft_limit_in_bytes", v, true, err, el) < 0))
				return -1;
		} else {
			if (hl && (lim < 0 ? put(st, "memory.max", "max", true, err, el) : putn(st, "memory.max", lim, true, err, el)) < 0)
				return -1;
			/* v1's swap is memory+swap; v2's swap.max the swap alone */
			if (hs && (swap < 0 ? put(st, "memory.swap.max", "max", false, err, el)
					    : putn(st, "memory.swap.max", hl && lim > 0 ? swap - lim : swap, false, err, el)) < 0)
				return -1;
			if (jnum(m, "reservation", &v) && putn(st, "memory.low", v, true, err, el) < 0)
				return -1;
		}
	}
	const struct jv *c = json_get(res, "cpu");
	if (c && c->type == J_OBJ) {
		long long q = 0, per = 0;
		bool hq = jnum(c, "quota", &q), hp = jnum(c, "period", &per);
		if (v1) {
			if ((jnum(c, "shares", &v) && v && putn(st, "cpu.shares", v, true, err, el) < 0) ||
			    (hp && per && putn(st, "cpu.cfs_period_us", per, true, err, el) < 0) ||
			    (hq && q && putn(st, "cpu.cfs_quota_us", q, true, err, el) < 0))
				return -1;
		} else {
			/* runc's conversion of shares (2..262144) to weight (1..10000) */
			if (jnum(c, "shares", &v) && v && putn(st, "cpu.weight", 1 + ((v - 2) * 9999) / 262142, true, err, el) < 0)
				return -1;
			if (hq || hp) {
				char b[64];
				if (hq && q > 0)
					snprintf(b, sizeof b, "%lld %lld", q, per > 0 ? per : 100000);
				else
					snprintf(b, sizeof b, "max %lld", per > 0 ? per : 100000);
				if (put(st, "cpu.max", b, true, err, el) < 0)
					return -1;
			}
		}
		const char *s;
		if (((s = jstr(c, "cpus")) && put(st, "cpuset.cpus", s, true, err, el) < 0) ||
		    ((s = jstr(c, "mems")) && put(st, "cpuset.mems", s, true, err, el) < 0))
			return -1;
	}
	const struct jv *p = json_get(res, "pids");
	if (p && p->type == J_OBJ && jnum(p, "limit", &v) &&
	    (v > 0 ? putn(st, "pids.max", v, true, err, el) : put(st, "pids.max", "max", true, err, el)) < 0)
		return -1;
	return 0;
}

int cg_create(const char *id, const struct jv *lx, struct rstate *st, char *err, size_t el)
{
	struct hier h[RUNC_MAX_CGROUPS];
	size_t nh = hierarchies(h, RUNC_MAX_CGROUPS);
	char rel[PATH_MAX];
	cg_path(id, lx, rel, sizeof rel);
	st->ncgroups = 0;
	for (size_t i = 0; i < nh; i++) {
		char dir[PATH_MAX * 2 + 8];
		if (rel[0] == '/')
			snprintf(dir, sizeof dir, "%s%s", h[i].mnt, rel);
		else
			snprintf(dir, sizeof dir, "%s%s/%s", h[i].mnt, h[i].own, rel);
		if (strstr(dir, "/../") || strstr(dir, "/./")) {
			snprintf(err, el, "invalid cgroupsPath: %s", rel);
			return -1;
		}
		if (mkdir_chain(&h[i], dir) < 0) {
			snprintf(err, el, "creating cgroup %s: %s", dir, strerror(errno));
			return -1;
		}
		st->cgroups[st->ncgroups++] = strdup(dir);
	}
	const struct jv *res = json_get(lx, "resources");
	if (res && res->type == J_OBJ && cg_resources(st, res, err, el) < 0)
		return -1;
	return cg_devices(st, lx, err, el);
}

void cg_remove(const struct rstate *st)
{
	for (size_t i = 0; i < st->ncgroups; i++) {
		/* a process that just died may leave it busy for a moment */
		for (int t = 0; t < 200 && rmdir(st->cgroups[i]) < 0 && errno == EBUSY; t++) {
			struct timespec ts = { 0, 5 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
}
