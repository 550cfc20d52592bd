/* linux.resources.devices as runc applies them: the config's rules, then
 * runc's default allowed devices, then every linux.devices node; on v1 "a"
 * denied and each rule written in order to devices.allow or devices.deny, on
 * v2 (the unified hierarchy of a hybrid host too) the eBPF program of
 * devbpf.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../monitor/json.h"
#include "../monitor/util.h"
#include "runc.h"

/* runc's AllowedDevices, added after the config's rules. */
static const struct dev_rule defaults[] = {
	{ 'c', -1, -1, 4, true }, { 'b', -1, -1, 4, true }, { 'c', 1, 3, 7, true }, { 'c', 1, 8, 7, true },
	{ 'c', 1, 7, 7, true },	  { 'c', 5, 0, 7, true },   { 'c', 1, 5, 7, true }, { 'c', 1, 9, 7, true },
	{ 'c', 136, -1, 7, true }, { 'c', 5, 2, 7, true },
};

/* linux.resources.devices, the defaults, then linux.devices (each allowed). */
static size_t device_rules(const struct jv *lx, struct dev_rule **out)
{
	const struct jv *res = json_get(lx, "resources"), *d = json_get(res, "devices"), *nodes = json_get(lx, "devices");
	size_t cap = ARRAY_LEN(defaults) + (d && d->type == J_ARR ? d->len : 0) + (nodes && nodes->type == J_ARR ? nodes->len : 0);
	struct dev_rule *r = calloc(cap + 1, sizeof *r);
	size_t n = 0;
	if (!r)
		return 0;
	for (const struct jv *e = d && d->type == J_ARR ? d->child : NULL; e; e = e->next) {
		const struct jv *a = json_get(e, "allow"), *t = json_get(e, "type");
		const char *acc = jstr(e, "access");
		long long v;
		struct dev_rule x = { 'a', -1, -1, 0, a && a->type == J_TRUE };
		if (t && t->type == J_STR && *t->str)
			x.type = t->str[0];
		if (jnum(e, "major", &v))
			x.major = v;
		if (jnum(e, "minor", &v))
			x.minor = v;
		for (const char *q = acc ? acc : "rwm"; *q; q++)
			x.access |= *q == 'r' ? 1 : *q == 'w' ? 2 : *q == 'm' ? 4 : 0;
		r[n++] = x;
	}
	for (unsigned i = 0; i < ARRAY_LEN(defaults); i++)
		r[n++] = defaults[i];
	for (const struct jv *e = nodes && nodes->type == J_ARR ? nodes->child : NULL; e; e = e->next) {
		const char *t = jstr(e, "type");
		long long ma = 0, mi = 0;
		if (!t || *t == 'p' || !jnum(e, "major", &ma) || !jnum(e, "minor", &mi))
			continue;
		r[n++] = (struct dev_rule){ *t == 'b' ? 'b' : 'c', ma, mi, 7, true };
	}
	*out = r;
	return n;
}

static void rule_text(const struct dev_rule *r, char *b, size_t len)
{
	char ma[24] = "*", mi[24] = "*", acc[4] = "";
	if (r->major >= 0)
		snprintf(ma, sizeof ma, "%ld", r->major);
	if (r->minor >= 0)
		snprintf(mi, sizeof mi, "%ld", r->minor);
	size_t k = 0;
	if (r->access & 1)
		acc[k++] = 'r';
	if (r->access & 2)
		acc[k++] = 'w';
	if (r->access & 4)
		acc[k++] = 'm';
	if (r->type == 'a')
		snprintf(b, len, "a");
	else
		snprintf(b, len, "%c %s:%s %s", r->type, ma, mi, acc);
}

int cg_devices(const struct rstate *st, const struct jv *lx, char *err, size_t el)
{
	struct dev_rule *r = NULL;
	size_t n = device_rules(lx, &r);
	int ret = 0;
	for (size_t i = 0; i < st->ncgroups && !ret; i++) {
		const char *dir = st->cgroups[i];
		if (cg_is_v2(dir)) {
			if (devbpf_attach(dir, r, n) < 0) {
				snprintf(err, el, "attaching the device program to %s: %s", dir, strerror(errno));
				ret = -1;
			}
			continue;
		}
		if (!cg_has(dir, "devices.allow"))
			continue;
		char b[64];
		if (cg_write(dir, "devices.deny", "a") < 0) {
			snprintf(err, el, "writing a to %s/devices.deny: %s", dir, strerror(errno));
			ret = -1;
		}
		for (size_t k = 0; k < n && !ret; k++) {
			rule_text(&r[k], b, sizeof b);
			if (cg_write(dir, r[k].allow ? "devices.allow" : "devices.deny", b) < 0) {
				snprintf(err, el, "writing %s to %s/devices.%s: %s", b, dir, r[k].allow ? "allow" : "deny", strerror(errno));
				ret = -1;
			}
		}
	}
	free(r);
	return ret;
}
