/* config.json -> struct spec. Unknown fields are ignored (other tools read
 * linux.resources etc.); fields we act on are type-checked, and a wrong type is
 * an error rather than a silent default, since a default here can mean a less
 * confined container. */
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "speclinux.h"
#include "util.h"

#define MAX_CONFIG (8u << 20)

bool spec_join_ns_paths;

struct ctx {
	struct arena *a;
	const char *what;
};

static int bad(struct ctx *c, const char *what)
{
	c->what = what;
	errno = EINVAL;
	return -1;
}

/* The arena is full while reading what: out of memory, not a bad config. */
static int nomem(struct ctx *c, const char *what)
{
	c->what = what;
	errno = ENOMEM;
	return -1;
}

/* A value that must be of type t when present. NULL when absent or null. */
static const struct jv *get_typed(struct ctx *c, const struct jv *obj, const char *key, enum jtype t, int *err)
{
	const struct jv *v = json_get(obj, key);
	if (!v || v->type == J_NULL)
		return NULL;
	bool ok = v->type == t || (t == J_TRUE && v->type == J_FALSE);
	if (!ok) {
		*err = bad(c, key);
		return NULL;
	}
	return v;
}

static int get_bool(struct ctx *c, const struct jv *obj, const char *key, bool *out)
{
	int err = 0;
	const struct jv *v = get_typed(c, obj, key, J_TRUE, &err);
	if (v)
		*out = v->type == J_TRUE;
	return err;
}

static int get_str(struct ctx *c, const struct jv *obj, const char *key, const char **out)
{
	int err = 0;
	const struct jv *v = get_typed(c, obj, key, J_STR, &err);
	if (v)
		*out = v->str;
	return err;
}

static int num_u64(struct ctx *c, const struct jv *v, unsigned long long max, unsigned long long *out, const char *what)
{
	if (!v || v->type != J_NUM || parse_uint(v->str, max, out) < 0)
		return bad(c, what);
	return 0;
}

/* An array of strings -> NULL-terminated char* array (n set to its length). */
static int get_strv(struct ctx *c, const struct jv *obj, const char *key, const char ***out, size_t *n)
{
	int err = 0;
	const struct jv *v = get_typed(c, obj, key, J_ARR, &err);
	if (err)
		return err;
	size_t len = v ? v->len : 0;
	const char **arr = arena_alloc(c->a, (len + 1) * sizeof *arr);
	if (!arr)
		return nomem(c, key);
	size_t i = 0;
	for (const struct jv *e = v ? v->child : NULL; e; e = e->next) {
		if (e->type != J_STR)
			return bad(c, key);
		arr[i++] = e->str;
	}
	arr[i] = NULL;
	*out = arr;
	if (n)
		*n = len;
	return 0;
}

static int get_caps(struct ctx *c, const struct jv *caps, const char *key, uint64_t *out)
{
	const char **names;
	size_t n;
	if (get_strv(c, caps, key, &names, &n))
		return -1;
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		int cap = cap_from_name(names[i]);
		/* Unknown names are ignored, as runc does, so a spec written for a
		 * newer kernel still runs; an unknown cap is simply not granted. */
		if (cap >= 0)
			*out |= 1ULL << cap;
	}
	return 0;
}

static const struct {
	const char *name;
	int res;
} rlimit_names[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_STACK", RLIMIT_STACK }, { "RLIMIT_CORE", RLIMIT_CORE }, { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_LOCKS", RLIMIT_LOCKS }, { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE }, { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

/* An rlimit value; one of 2^64 or more is RLIM_INFINITY: a JSON writer that
 * holds numbers as doubles cannot write 2^64-1 exactly (JavaScript writes
 * 18446744073709552000), and "unlimited" is what such a value means. */
static int rlim_value(struct ctx *c, const struct jv *v, unsigned long long *out, const char *what)
{
	if (v && v->type == J_NUM && v->str[0] >= '0' && v->str[0] <= '9' && strspn(v->str, "0123456789") == strlen(v->str) &&
	    strlen(v->str) >= 20 && parse_uint(v->str, ULLONG_MAX, out) < 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	return num_u64(c, v, ULLONG_MAX, out, what);
}

static int get_rlimits(struct ctx *c, const struct jv *proc, struct spec *s)
{
	int err = 0;
	const struct jv *v = get_typed(c, proc, "rlimits", J_ARR, &err);
	if (err || !v)
		return err;
	s->rlimits = arena_alloc(c->a, (v->len + 1) * sizeof *s->rlimits);
	if (!s->rlimits)
		return nomem(c, "rlimits");
	for (const struct jv *e = v->child; e; e = e->next) {
		const char *type = NULL;
		unsigned long long soft, hard;
		if (e->type != J_OBJ || get_str(c, e, "type", &type) || !type)
			return bad(c, "rlimits");
		int res = -1;
		for (unsigned i = 0; i < ARRAY_LEN(rlimit_names); i++)
			if (strcmp(type, rlimit_names[i].name) == 0)
				res = rlimit_names[i].res;
		if (res < 0)
			return bad(c, "rlimits.type");
		if (rlim_value(c, json_get(e, "soft"), &soft, "rlimits.soft") ||
		    rlim_value(c, json_get(e, "hard"), &hard, "rlimits.hard"))
			return -1;
		s->rlimits[s->nrlimits++] = (struct spec_rlimit){ res, soft, hard, type };
	}
	return 0;
}

static int get_user(struct ctx *c, const struct jv *proc, struct spec *s)
{
	int err = 0;
	const struct jv *u = get_typed(c, proc, "user", J_OBJ, &err);
	unsigned long long v;
	if (err || !u)
		return err;
	const struct jv *x;
	if ((x = json_get(u, "uid"))) {
		if (num_u64(c, x, UINT32_MAX - 1, &v, "user.uid"))
			return -1;
		s->uid = (uid_t)v;
	}
	if ((x = json_get(u, "gid"))) {
		if (num_u64(c, x, UINT32_MAX - 1, &v, "user.gid"))
			return -1;
		s->gid = (gid_t)v;
	}
	if ((x = json_get(u, "umask")) && x->type != J_NULL) {
		if (num_u64(c, x, 0777, &v, "user.umask"))
			return -1;
		s->has_umask = true;
		s->umask = (mode_t)v;
	}
	const struct jv *g = get_typed(c, u, "additionalGids", J_ARR, &err);
	if (err)
		return err;
	if (g) {
		s->gids = arena_alloc(c->a, (g->len + 1) * sizeof *s->gids);
		if (!s->gids)
			return nomem(c, "user.additionalGids");
		for (const struct jv *e = g->child; e; e = e->next) {
			if (num_u64(c, e, UINT32_MAX - 1, &v, "user.additionalGids"))
				return -1;
			s->gids[s->ngids++] = (gid_t)v;
		}
	}
	return 0;
}

static int get_process(struct ctx *c, const struct jv *proc, struct spec *s)
{
	int err = 0;
	if (get_bool(c, proc, "terminal", &s->terminal) || get_bool(c, proc, "noNewPrivileges", &s->no_new_privs) ||
	    get_strv(c, proc, "args", (const char ***)&s->args, NULL) ||
	    get_strv(c, proc, "env", (const char ***)&s->env, NULL) || get_str(c, proc, "cwd", &s->cwd) ||
	    get_str(c, proc, "apparmorProfile", &s->apparmor) ||
	    get_user(c, proc, s) || get_rlimits(c, proc, s))
		return -1;
	if (!s->cwd)
		s->cwd = "/";
	if (s->cwd[0] != '/')
		return bad(c, "process.cwd");
	const struct jv *o = json_get(proc, "oomScoreAdj");
	if (o && o->type != J_NULL) {
		long long n;
		char *end;
		if (o->type != J_NUM)
			return bad(c, "oomScoreAdj");
		errno = 0;
		n = strtoll(o->str, &end, 10);
		if (errno || *end || n < -1000 || n > 1000)
			return bad(c, "oomScoreAdj");
		s->has_oom = true;
		s->oom_score_adj = (int)n;
	}
	const struct jv *caps = get_typed(c, proc, "capabilities", J_OBJ, &err);
	if (err)
		return err;
	if (caps) {
		s->has_caps = true;
		if (get_caps(c, caps, "bounding", &s->caps.bounding) || get_caps(c, caps, "effective", &s->caps.effective) ||
		    get_caps(c, caps, "permitted", &s->caps.permitted) ||
		    get_caps(c, caps, "inheritable", &s->caps.inheritable) ||
		    get_caps(c, caps, "ambient", &s->caps.ambient))
			return -1;
	}
	return 0;
}

int spec_load_process(struct arena *a, const struct jv *proc, struct spec *s, const char **what)
{
	struct ctx c = { .a = a, .what = NULL };
	errno = 0;
	s->args = s->env = NULL;
	s->cwd = NULL;
	s->uid = 0;
	s->gid = 0;
	s->gids = NULL;
	s->ngids = 0;
	s->has_umask = s->has_caps = s->no_new_privs = s->terminal = s->has_oom = false;
	s->caps = (struct capsets){ 0 };
	s->rlimits = NULL;
	s->nrlimits = 0;
	s->apparmor = NULL;
	if (!proc || proc->type != J_OBJ || get_process(&c, proc, s) < 0 || !s->args || !s->args[0]) {
		*what = c.what ? c.what : "process.args";
		if (!errno)
			errno = EINVAL;
		return -1;
	}
	if (!s->env) {
		static char *none[] = { NULL };
		s->env = none;
	}
	return 0;
}

static int get_mounts(struct ctx *c, const struct jv *root, struct spec *s)
{
	int err = 0;
	const struct jv *m = get_typed(c, root, "mounts", J_ARR, &err);
	if (err || !m)
		return err;
	s->mounts = arena_alloc(c->a, (m->len + 1) * sizeof *s->mounts);
	if (!s->mounts)
		return nomem(c, "mounts");
	for (const struct jv *e = m->child; e; e = e->next) {
		struct spec_mount *sm = &s->mounts[s->nmounts++];
		if (e->type != J_OBJ)
			return bad(c, "mounts");
		if (get_str(c, e, "destination", &sm->destination) || get_str(c, e, "type", &sm->type) ||
		    get_str(c, e, "source", &sm->source) || get_strv(c, e, "options", &sm->options, &sm->noptions))
			return errno == ENOMEM ? nomem(c, "mounts.options") : bad(c, "mounts");
		if (!sm->destination || sm->destination[0] != '/')
			return bad(c, "mounts.destination");
		if (!sm->type)
			sm->type = "";
	}
	return 0;
}

static int get_linux(struct ctx *c, const struct jv *lx, struct spec *s)
{
	int err = 0;
	const struct jv *ns = get_typed(c, lx, "namespaces", J_ARR, &err);
	if (err)
		return err;
	static const struct {
		const char *name;
		int flag;
	} ns_names[] = {
		{ "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
		{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "cgroup", CLONE_NEWCGROUP },
		{ "user", CLONE_NEWUSER },
	};
	for (const struct jv *e = ns ? ns->child : NULL; e; e = e->next) {
		const char *type = NULL, *path = NULL;
		if (e->type != J_OBJ || get_str(c, e, "type", &type) || get_str(c, e, "path", &path) || !type)
			return bad(c, "namespaces");
		int flag = 0;
		for (unsigned i = 0; i < ARRAY_LEN(ns_names); i++)
			if (strcmp(type, ns_names[i].name) == 0)
				flag = ns_names[i].flag;
		if (!flag)
			return bad(c, "namespaces.type");
		/* Joining by path: only a network namespace (--network
		 * container:NAME); user and time namespaces not at all. Refuse
		 * rather than run less isolated. The flag stays set: exec joins
		 * the init's network namespace, whichever it is. */
		if (path && *path) {
			if (flag != CLONE_NEWNET && (!spec_join_ns_paths || flag == CLONE_NEWUSER))
				return bad(c, "namespaces.path");
			if (flag == CLONE_NEWNET)
				s->netns_path = path;
			if (s->nns_paths == ARRAY_LEN(s->ns_paths))
				return bad(c, "namespaces");
			s->ns_paths[s->nns_paths++] = (struct spec_nspath){ flag, path };
		}
		s->ns_flags |= flag;
	}
	if (get_strv(c, lx, "maskedPaths", &s->masked, &s->nmasked) ||
	    get_strv(c, lx, "readonlyPaths", &s->readonly, &s->nreadonly) || spec_linux_extra(c->a, lx, s, &c->what))
		return -1;
	return 0;
}

static char *read_config(struct ctx *c, const char *bundle, size_t *len)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof path, "%s/config.json", bundle) >= sizeof path) {
		errno = ENAMETOOLONG;
		c->what = "bundle";
		return NULL;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		c->what = "config.json";
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (st.st_size > MAX_CONFIG) {
		close(fd);
		c->what = "config.json too large";
		errno = EFBIG;
		return NULL;
	}
	/* Room for the text plus the tree: each value needs at least one source byte
	 * and is 48 bytes, its string at most as long as its text. */
	size_t sz = (size_t)st.st_size;
	char *buf = NULL;
	if (arena_init(c->a, 64 * sz + 65536) < 0 || !(buf = arena_alloc(c->a, sz + 1))) {
		int e = errno;
		close(fd);
		c->what = "config.json";
		errno = e;
		return NULL;
	}
	size_t got = 0;
	while (got < sz) {
		ssize_t n = read(fd, buf + got, sz - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			close(fd);
			c->what = "config.json";
			errno = e;
			return NULL;
		}
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return buf;
}

int spec_load(struct arena *a, const char *bundle, struct spec *s, const char **what)
{
	struct ctx c = { .a = a, .what = NULL };
	size_t len;
	memset(s, 0, sizeof *s);
	a->base = NULL;
	char *text = read_config(&c, bundle, &len);
	if (!text)
		goto fail;
	const char *perr;
	const struct jv *root = json_parse(a, text, len, &perr);
	if (!root) {
		c.what = perr; /* errno: EINVAL, or ENOMEM when the arena was full */
		goto fail;
	}
	if (root->type != J_OBJ) {
		bad(&c, "config.json");
		goto fail;
	}
	int err = 0;
	const struct jv *r = get_typed(&c, root, "root", J_OBJ, &err);
	const char *rp = NULL;
	if (err || !r || get_str(&c, r, "path", &rp) || !rp) {
		bad(&c, "root.path");
		goto fail;
	}
	if (get_bool(&c, r, "readonly", &s->root_readonly)) {
		bad(&c, "root.readonly");
		goto fail;
	}
	if (rp[0] == '/') {
		s->root_path = rp;
	} else {
		size_t n = strlen(bundle) + strlen(rp) + 2;
		char *p = arena_alloc(a, n);
		if (!p) {
			nomem(&c, "root.path");
			goto fail;
		}
		snprintf(p, n, "%s/%s", bundle, rp);
		s->root_path = p;
	}
	const struct jv *proc = get_typed(&c, root, "process", J_OBJ, &err);
	const struct jv *lx = get_typed(&c, root, "linux", J_OBJ, &err);
	const struct jv *ann = get_typed(&c, root, "annotations", J_OBJ, &err);
	if (err || get_str(&c, root, "hostname", &s->hostname) || get_mounts(&c, root, s) ||
	    (proc && get_process(&c, proc, s)) || (lx && get_linux(&c, lx, s)) ||
	    (ann && (get_str(&c, ann, "run.hutch.overlay", &s->overlay) ||
		     get_str(&c, ann, "run.hutch.networks", &s->networks) ||
		     get_str(&c, ann, "run.hutch.ports", &s->ports) ||
		     get_str(&c, ann, "run.hutch.nft.table", &s->nft_table) ||
		     get_str(&c, ann, "run.hutch.dns", &s->dns) ||
		     get_str(&c, ann, "run.hutch.seccomp", &s->seccomp) ||
		     get_str(&c, ann, "run.hutch.on-exit", &s->on_exit) ||
		     get_str(&c, ann, "run.hutch.on-exit-if", &s->on_exit_if) ||
		     get_str(&c, ann, "run.hutch.health", &s->health))))
		goto fail;
	if (!proc) {
		bad(&c, "process");
		goto fail;
	}
	if (!s->args || !s->args[0]) {
		bad(&c, "process.args");
		goto fail;
	}
	s->json = root;
	return 0;
fail:
	*what = c.what ? c.what : "config.json";
	{
		int e = errno ? errno : EINVAL;
		arena_release(a);
		errno = e;
	}
	return -1;
}
