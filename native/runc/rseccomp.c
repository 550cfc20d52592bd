/* See rseccomp.h. */
#include "rseccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../monitor/json.h"

#define X32_SYSCALL_BIT 0x40000000u
#define MAX_INSNS 4096
#define NR_OFF 0
#define ARCH_OFF 4
#define ARG_LO(i) (16 + 8 * (i))
#define ARG_HI(i) (20 + 8 * (i))

/* A growing program whose jumps may name labels (negative: -1 - label id)
 * until resolve() turns them into offsets. */
struct prog {
	struct sock_filter *p;
	int (*tgt)[2];
	size_t n, cap;
	int label[512];
	int nlabels;
	bool full; /* ran out of labels: resolve() fails */
};

static int emit(struct prog *b, uint16_t code, uint32_t k, int jt, int jf)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct sock_filter *p = realloc(b->p, cap * sizeof *p);
		int(*t)[2] = realloc(b->tgt, cap * sizeof *t);
		if (!p || !t) {
			free(p ? p : b->p);
			free(t ? t : b->tgt);
			b->p = NULL;
			b->tgt = NULL;
			return -1;
		}
		b->p = p;
		b->tgt = t;
		b->cap = cap;
	}
	b->p[b->n] = (struct sock_filter){ code, 0, 0, k };
	b->tgt[b->n][0] = jt;
	b->tgt[b->n][1] = jf;
	b->n++;
	return 0;
}

static int new_label(struct prog *b)
{
	if (b->nlabels == (int)(sizeof b->label / sizeof b->label[0])) {
		b->full = true;
		return -1;
	}
	b->label[b->nlabels] = -1;
	return -1 - b->nlabels++;
}

static void place(struct prog *b, int l)
{
	b->label[-1 - l] = (int)b->n;
}

/* Labels to offsets; -1 when a jump is too long for 8 bits. */
static int resolve(struct prog *b)
{
	if (b->full)
		return -1;
	for (size_t i = 0; i < b->n; i++)
		for (int j = 0; j < 2; j++) {
			int t = b->tgt[i][j], off = t;
			if (t < 0)
				off = b->label[-1 - t] - (int)i - 1;
			if (off < 0 || off > 255)
				return -1;
			if (j == 0)
				b->p[i].jt = (uint8_t)off;
			else
				b->p[i].jf = (uint8_t)off;
		}
	b->nlabels = 0;
	return 0;
}

struct rule {
	uint32_t ret;
	const struct jv *args; /* array or NULL */
};

static int action(const char *a, const struct jv *errno_ret, uint32_t dflt_errno, uint32_t *out)
{
	unsigned long long e = dflt_errno;
	if (errno_ret && errno_ret->type == J_NUM)
		e = strtoull(errno_ret->str, NULL, 10);
	if (strcmp(a, "SCMP_ACT_ALLOW") == 0)
		*out = SECCOMP_RET_ALLOW;
	else if (strcmp(a, "SCMP_ACT_ERRNO") == 0)
		*out = SECCOMP_RET_ERRNO | (uint32_t)(e & 0xffff);
	else if (strcmp(a, "SCMP_ACT_KILL") == 0 || strcmp(a, "SCMP_ACT_KILL_THREAD") == 0)
		*out = SECCOMP_RET_KILL_THREAD;
	else if (strcmp(a, "SCMP_ACT_KILL_PROCESS") == 0)
		*out = SECCOMP_RET_KILL_PROCESS;
	else if (strcmp(a, "SCMP_ACT_TRAP") == 0)
		*out = SECCOMP_RET_TRAP;
	else if (strcmp(a, "SCMP_ACT_TRACE") == 0)
		*out = SECCOMP_RET_TRACE | (uint32_t)((errno_ret ? e : 0) & 0xffff);
	else if (strcmp(a, "SCMP_ACT_LOG") == 0)
		*out = SECCOMP_RET_LOG;
	else
		return -1;
	return 0;
}

static uint64_t u64(const struct jv *v)
{
	if (!v || v->type != J_NUM)
		return 0;
	/* a negative one is its two's complement, as libseccomp takes it */
	return v->str[0] == '-' ? (uint64_t)strtoll(v->str, NULL, 10) : strtoull(v->str, NULL, 10);
}

/* One argument check: falls through when it holds, jumps to fail if not. */
static int emit_arg(struct prog *b, const struct jv *a, int fail, char *err, size_t el)
{
	const struct jv *op = json_get(a, "op");
	uint64_t idx = u64(json_get(a, "index")), v = u64(json_get(a, "value")), v2 = u64(json_get(a, "valueTwo"));
	uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v;
	const char *o = op && op->type == J_STR ? op->str : "";
	if (idx > 5) {
		snprintf(err, el, "linux.seccomp: argument index %llu", (unsigned long long)idx);
		return -1;
	}
	int ok = new_label(b);
	const uint16_t L = BPF_LD | BPF_W | BPF_ABS, JEQ = BPF_JMP | BPF_JEQ | BPF_K, JGT = BPF_JMP | BPF_JGT | BPF_K,
		       JGE = BPF_JMP | BPF_JGE | BPF_K, AND = BPF_ALU | BPF_AND | BPF_K;
	/* one instruction per statement: the order is the program's */
#define E(code, k, jt, jf)                            \
	do {                                          \
		if (emit(b, (code), (k), (jt), (jf)) < 0) \
			return -1;                    \
	} while (0)
	if (strcmp(o, "SCMP_CMP_EQ") == 0) {
		E(L, ARG_HI(idx), 0, 0);
		E(JEQ, hi, 0, fail);
		E(L, ARG_LO(idx), 0, 0);
		E(JEQ, lo, 0, fail);
	} else if (strcmp(o, "SCMP_CMP_NE") == 0) {
		E(L, ARG_HI(idx), 0, 0);
		E(JEQ, hi, 0, ok);
		E(L, ARG_LO(idx), 0, 0);
		E(JEQ, lo, fail, 0);
	} else if (strcmp(o, "SCMP_CMP_MASKED_EQ") == 0) {
		E(L, ARG_HI(idx), 0, 0);
		E(AND, hi, 0, 0);
		E(JEQ, (uint32_t)(v2 >> 32), 0, fail);
		E(L, ARG_LO(idx), 0, 0);
		E(AND, lo, 0, 0);
		E(JEQ, (uint32_t)v2, 0, fail);
	} else if (strcmp(o, "SCMP_CMP_GT") == 0 || strcmp(o, "SCMP_CMP_GE") == 0) {
		E(L, ARG_HI(idx), 0, 0);
		E(JGT, hi, ok, 0);
		E(JEQ, hi, 0, fail);
		E(L, ARG_LO(idx), 0, 0);
		E(strcmp(o, "SCMP_CMP_GT") == 0 ? JGT : JGE, lo, ok, fail);
	} else if (strcmp(o, "SCMP_CMP_LT") == 0 || strcmp(o, "SCMP_CMP_LE") == 0) {
		E(L, ARG_HI(idx), 0, 0);
		E(JGT, hi, fail, 0);
		E(JEQ, hi, 0, ok);
		E(L, ARG_LO(idx), 0, 0);
		E(strcmp(o, "SCMP_CMP_LT") == 0 ? JGE : JGT, lo, fail, ok);
	} else {
		snprintf(err, el, "linux.seccomp: unknown operator %s", o);
		return -1;
	}
#undef E
	place(b, ok);
	return 0;
}

/* The code of one syscall number: its rules with arguments, in order, then
 * the fallback. */
static int leaf(struct prog *b, const struct rule *rules, size_t n, uint32_t fallback, char *err, size_t el)
{
	for (size_t i = 0; i < n; i++) {
		int fail = new_label(b);
		for (const struct jv *a = rules[i].args->child; a; a = a->next)
			if (emit_arg(b, a, fail, err, el) < 0)
				return -1;
		if (emit(b, BPF_RET | BPF_K, rules[i].ret, 0, 0) < 0)
			return -1;
		place(b, fail);
	}
	return emit(b, BPF_RET | BPF_K, fallback, 0, 0);
}

struct range {
	unsigned start;
	struct prog code;
};

/* Ranges [start, next start) as a tree of JGE, appended to out. */
static int tree(struct prog *out, struct range *r, size_t n)
{
	if (n == 1) {
		for (size_t i = 0; i < r->code.n; i++)
			if (emit(out, r->code.p[i].code, r->code.p[i].k, r->code.p[i].jt, r->code.p[i].jf) < 0)
				return -1;
		return 0;
	}
	size_t mid = n / 2, llen = 0;
	struct prog left = { 0 };
	if (tree(&left, r, mid) < 0)
		return -1;
	llen = left.n;
	int e = 0;
	if (llen <= 255) {
		e |= emit(out, BPF_JMP | BPF_JGE | BPF_K, r[mid].start, (int)llen, 0);
	} else {
		e |= emit(out, BPF_JMP | BPF_JGE | BPF_K, r[mid].start, 0, 1);
		e |= emit(out, BPF_JMP | BPF_JA, (uint32_t)llen, 0, 0);
	}
	/* left is not resolved: its jumps are in tgt, all offsets by now */
	for (size_t i = 0; i < left.n && !e; i++)
		e |= emit(out, left.p[i].code, left.p[i].k, left.tgt[i][0], left.tgt[i][1]);
	free(left.p);
	free(left.tgt);
	return e ? -1 : tree(out, r + mid, n - mid);
}

static int nr_of(const char *name)
{
	size_t len = strlen(name);
	int nr = 0;
	for (const char *p = x86_64_syscall_table; *p; nr++) {
		while (*p == ' ')
			p++;
		size_t w = strcspn(p, " ");
		if (!w)
			break;
		if (w == len && memcmp(p, name, len) == 0)
			return nr;
		p += w;
	}
	return -1;
}

int rseccomp_compile(struct arena *a, struct spec *s, char *err, size_t el)
{
	const struct jv *sc = json_get(json_get(s->json, "linux"), "seccomp");
	err[0] = 0;
	if (!sc || sc->type == J_NULL)
		return 0;
	const struct jv *v;
	const unsigned max = x86_64_max_syscall;
	uint32_t dflt, enosys = SECCOMP_RET_ERRNO | ENOSYS;
	v = json_get(sc, "defaultAction");
	if (!v || v->type != J_STR || action(v->str, json_get(sc, "defaultErrnoRet"), EPERM, &dflt) < 0) {
		snprintf(err, el, "linux.seccomp.defaultAction: %s is not supported", v && v->type == J_STR ? v->str : "(missing)");
		return -1;
	}
	if ((v = json_get(sc, "listenerPath")) && v->type == J_STR && *v->str) {
		snprintf(err, el, "linux.seccomp.listenerPath: a seccomp notify listener is not supported yet");
		return -1;
	}
	unsigned flags = 0;
	for (const struct jv *f = (v = json_get(sc, "flags")) && v->type == J_ARR ? v->child : NULL; f; f = f->next) {
		if (f->type == J_STR && strcmp(f->str, "SECCOMP_FILTER_FLAG_LOG") == 0)
			flags |= SECCOMP_FILTER_FLAG_LOG;
		else if (f->type == J_STR && strcmp(f->str, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
			flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else if (!(f->type == J_STR && strcmp(f->str, "SECCOMP_FILTER_FLAG_TSYNC") == 0)) {
			snprintf(err, el, "linux.seccomp.flags: %s is not supported", f->type == J_STR ? f->str : "?");
			return -1;
		}
	}
	/* per number, its rules in profile order */
	struct rule **by = calloc(max + 1, sizeof *by);
	size_t *nby = calloc(max + 1, sizeof *nby);
	struct range *ranges = calloc(max + 1, sizeof *ranges);
	struct prog out = { 0 };
	int ret = -1;
	if (!by || !nby || !ranges)
		goto done;
	for (const struct jv *r = (v = json_get(sc, "syscalls")) && v->type == J_ARR ? v->child : NULL; r; r = r->next) {
		const struct jv *act = json_get(r, "action"), *names = json_get(r, "names"), *args = json_get(r, "args");
		uint32_t rv;
		if (!act || act->type != J_STR || action(act->str, json_get(r, "errnoRet"), EPERM, &rv) < 0) {
			snprintf(err, el, "linux.seccomp.syscalls: action %s is not supported", act && act->type == J_STR ? act->str : "(missing)");
			goto done;
		}
		for (const struct jv *nm = names && names->type == J_ARR ? names->child : NULL; nm; nm = nm->next) {
			int nr = nm->type == J_STR ? nr_of(nm->str) : -1;
			if (nr < 0 || (unsigned)nr > max)
				continue; /* another architecture's, or newer than the table */
			struct rule *g = realloc(by[nr], (nby[nr] + 1) * sizeof *g);
			if (!g)
				goto done;
			by[nr] = g;
			g[nby[nr]++] = (struct rule){ rv, args && args->type == J_ARR && args->len ? args : NULL };
		}
	}
	size_t nr_ranges = 0;
	uint32_t last = 0;
	bool last_plain = false;
	for (unsigned nr = 0; nr <= max; nr++) {
		/* a rule without arguments decides alone (the first one) */
		bool plain = true;
		uint32_t rv = dflt;
		size_t k;
		for (k = 0; k < nby[nr] && by[nr][k].args; k++)
			;
		if (k < nby[nr])
			rv = by[nr][k].ret;
		else if (nby[nr])
			plain = false;
		if (plain && last_plain && rv == last && nr_ranges)
			continue;
		struct range *g = &ranges[nr_ranges++];
		g->start = nr;
		if ((plain ? emit(&g->code, BPF_RET | BPF_K, rv, 0, 0) : leaf(&g->code, by[nr], nby[nr], dflt, err, el)) < 0 ||
		    resolve(&g->code) < 0) {
			if (!*err)
				snprintf(err, el, "linux.seccomp: the rules of syscall %u are too long", nr);
			goto done;
		}
		last = rv;
		last_plain = plain;
	}
	int L = BPF_LD | BPF_W | BPF_ABS;
	if (emit(&out, L, ARCH_OFF, 0, 0) || emit(&out, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0) ||
	    emit(&out, BPF_RET | BPF_K, dflt, 0, 0) || emit(&out, L, NR_OFF, 0, 0) ||
	    emit(&out, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 0, 1) || emit(&out, BPF_RET | BPF_K, dflt, 0, 0) ||
	    emit(&out, BPF_JMP | BPF_JGT | BPF_K, max, 0, 1) || emit(&out, BPF_RET | BPF_K, enosys, 0, 0) ||
	    tree(&out, ranges, nr_ranges) < 0)
		goto done;
	if (resolve(&out) < 0)
		goto done;
	if (out.n > MAX_INSNS) {
		snprintf(err, el, "linux.seccomp compiles to %zu instructions, more than the kernel's %d", out.n, MAX_INSNS);
		goto done;
	}
	void *mem = arena_alloc(a, out.n * sizeof *out.p);
	if (!mem)
		goto done;
	memcpy(mem, out.p, out.n * sizeof *out.p);
	s->seccomp_prog = mem;
	s->seccomp_len = (unsigned short)out.n;
	s->seccomp_flags = flags;
	s->seccomp = "linux.seccomp";
	ret = 0;
done:
	if (ret < 0 && !*err)
		snprintf(err, el, "linux.seccomp: %s", strerror(errno ? errno : ENOMEM));
	for (unsigned nr = 0; by && nr <= max; nr++)
		free(by[nr]);
	for (size_t i = 0; ranges && i <= max; i++) {
		free(ranges[i].code.p);
		free(ranges[i].code.tgt);
	}
	free(by);
	free(nby);
	free(ranges);
	free(out.p);
	free(out.tgt);
	return ret;
}
