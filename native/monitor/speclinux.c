/* linux.devices and linux.sysctl of config.json (see speclinux.h). Kept apart
 * from spec.c, which reads everything else; same rules: a wrong type is an
 * error, never a silent default. */
#include "speclinux.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "util.h"

static int fail(const char **what, const char *w, int err)
{
	*what = w;
	errno = err;
	return -1;
}

static int num(const struct jv *v, unsigned long long max, unsigned long long *out)
{
	return v && v->type == J_NUM ? parse_uint(v->str, max, out) : -1;
}

static int get_devices(struct arena *a, const struct jv *lx, struct spec *s, const char **what)
{
	const struct jv *d = json_get(lx, "devices");
	if (!d || d->type == J_NULL)
		return 0;
	if (d->type != J_ARR)
		return fail(what, "linux.devices", EINVAL);
	s->devices = arena_alloc(a, (d->len + 1) * sizeof *s->devices);
	if (!s->devices)
		return fail(what, "linux.devices", ENOMEM);
	for (const struct jv *e = d->child; e; e = e->next) {
		struct spec_device *sd = &s->devices[s->ndevices++];
		const struct jv *p = json_get(e, "path"), *t = json_get(e, "type");
		unsigned long long v;
		if (e->type != J_OBJ || !p || p->type != J_STR || p->str[0] != '/' || !t || t->type != J_STR ||
		    strlen(t->str) != 1 || !strchr("cbup", t->str[0]))
			return fail(what, "linux.devices", EINVAL);
		sd->path = p->str;
		sd->type = t->str[0];
		if (sd->type != 'p') {
			/* major and minor as the kernel's dev_t holds them: 12 and 20 bits */
			if (num(json_get(e, "major"), 0xfff, &v))
				return fail(what, "linux.devices.major", EINVAL);
			sd->major = (unsigned)v;
			if (num(json_get(e, "minor"), 0xfffff, &v))
				return fail(what, "linux.devices.minor", EINVAL);
			sd->minor = (unsigned)v;
		}
		sd->mode = 0666;
		const struct jv *x;
		if ((x = json_get(e, "fileMode")) && x->type != J_NULL) {
			if (num(x, 07777, &v))
				return fail(what, "linux.devices.fileMode", EINVAL);
			sd->mode = (mode_t)v;
		}
		if ((x = json_get(e, "uid")) && x->type != J_NULL) {
			if (num(x, UINT32_MAX - 1, &v))
				return fail(what, "linux.devices.uid", EINVAL);
			sd->uid = (uid_t)v;
		}
		if ((x = json_get(e, "gid")) && x->type != J_NULL) {
			if (num(x, UINT32_MAX - 1, &v))
				return fail(what, "linux.devices.gid", EINVAL);
			sd->gid = (gid_t)v;
		}
	}
	return 0;
}

/* A key is dot-separated words of [A-Za-z0-9_-/]: sysctl(8) swaps '.' and '/'
 * (net.ipv4.conf.eth0/1.forwarding is net/ipv4/conf/eth0.1/forwarding), so a
 * word of '/' alone would be "." or ".."; refused, as are empty words. The key
 * can then only name a file under /proc/sys. */
static bool key_ok(const char *k)
{
	bool word = false, plain = false;
	for (; *k; k++) {
		if (*k == '.') {
			if (!plain)
				return false;
			word = plain = false;
		} else if ((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
			   *k == '_' || *k == '-') {
			word = plain = true;
		} else if (*k == '/') {
			word = true;
		} else {
			return false;
		}
	}
	return word && plain;
}

static int get_sysctl(struct arena *a, const struct jv *lx, struct spec *s, const char **what)
{
	const struct jv *o = json_get(lx, "sysctl");
	if (!o || o->type == J_NULL)
		return 0;
	if (o->type != J_OBJ)
		return fail(what, "linux.sysctl", EINVAL);
	s->sysctls = arena_alloc(a, (o->len + 1) * sizeof *s->sysctls);
	if (!s->sysctls)
		return fail(what, "linux.sysctl", ENOMEM);
	for (const struct jv *e = o->child; e; e = e->next) {
		if (e->type != J_STR || !key_ok(e->key))
			return fail(what, "linux.sysctl", EINVAL);
		s->sysctls[s->nsysctls++] = (struct spec_sysctl){ e->key, e->str };
	}
	return 0;
}

/* linux.uidMappings or gidMappings: at most 5 entries (the kernel's limit
 * before 4.15, and more than a container needs), written as one block in the
 * format of /proc/PID/uid_map. */
static int get_idmap(struct arena *a, const struct jv *lx, const char *key, const char **out, const char **what)
{
	const struct jv *m = json_get(lx, key);
	if (!m || m->type == J_NULL)
		return 0;
	if (m->type != J_ARR || m->len < 1 || m->len > 5)
		return fail(what, key, EINVAL);
	char *buf = arena_alloc(a, 5 * 40 + 1);
	if (!buf)
		return fail(what, key, ENOMEM);
	size_t n = 0;
	for (const struct jv *e = m->child; e; e = e->next) {
		unsigned long long c, h, sz;
		if (e->type != J_OBJ || num(json_get(e, "containerID"), UINT32_MAX - 1, &c) ||
		    num(json_get(e, "hostID"), UINT32_MAX - 1, &h) || num(json_get(e, "size"), UINT32_MAX, &sz) || !sz ||
		    c + sz > UINT32_MAX || h + sz > UINT32_MAX)
			return fail(what, key, EINVAL);
		n += (size_t)snprintf(buf + n, 41, "%llu %llu %llu\n", c, h, sz);
	}
	*out = buf;
	return 0;
}

int spec_linux_extra(struct arena *a, const struct jv *lx, struct spec *s, const char **what)
{
	if (get_devices(a, lx, s, what) || get_sysctl(a, lx, s, what) ||
	    get_idmap(a, lx, "uidMappings", &s->uid_map, what) || get_idmap(a, lx, "gidMappings", &s->gid_map, what))
		return -1;
	/* A user namespace without both maps would run as nobody with no way to
	 * act on its files; mappings without one would be ignored. */
	if (!!(s->ns_flags & CLONE_NEWUSER) != !!s->uid_map || !s->uid_map != !s->gid_map)
		return fail(what, "linux.uidMappings", EINVAL);
	return 0;
}
