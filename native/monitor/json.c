/* See json.h. A recursive-descent parser with a depth limit; every rule of
 * RFC 8259 that matters for safety is checked (control characters in strings,
 * escapes, number syntax, trailing garbage). */
#include "json.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define MAX_DEPTH 64

struct parser {
	struct arena *a;
	const char *p, *end;
	const char *err;
	bool nomem; /* err is the arena's: out of memory, not bad JSON */
};

static struct jv *parse_value(struct parser *ps, int depth);

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static void *fail(struct parser *ps, const char *msg)
{
	if (!ps->err)
		ps->err = msg;
	return NULL;
}

static void *out_of_memory(struct parser *ps)
{
	if (!ps->err)
		ps->nomem = true;
	return fail(ps, "out of memory");
}

static struct jv *new_value(struct parser *ps, enum jtype t)
{
	struct jv *v = arena_alloc(ps->a, sizeof *v);
	if (!v)
		return out_of_memory(ps);
	v->type = t;
	return v;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Parses a string starting at the opening quote. The decoded text is never
 * longer than the source text, so one allocation of the source length is enough. */
static const char *parse_string(struct parser *ps, size_t *outlen)
{
	const char *s = ++ps->p; /* past '"' */
	const char *q = s;
	while (q < ps->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= ps->end)
		return fail(ps, "unterminated string");
	char *out = arena_alloc(ps->a, (size_t)(q - s) + 1);
	if (!out)
		return out_of_memory(ps);
	size_t n = 0;
	const char *p = s;
	while (p < q) {
		unsigned char c = (unsigned char)*p++;
		if (c < 0x20)
			return fail(ps, "control character in string");
		if (c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		char e = *p++;
		switch (e) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case '/': out[n++] = '/'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (q - p < 4 || hex4(p, &cp))
				return fail(ps, "bad \\u escape");
			p += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				/* a high surrogate must be followed by an escaped low one */
				if (q - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
					return fail(ps, "unpaired surrogate");
				p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				return fail(ps, "unpaired surrogate");
			}
			if (cp == 0)
				return fail(ps, "NUL in string");
			/* \uXXXX is 6 source bytes and at most 3 UTF-8 bytes; a pair is 12 and 4 */
			n += put_utf8(out + n, cp);
			break;
		}
		default:
			return fail(ps, "bad escape");
		}
	}
	out[n] = 0;
	ps->p = q + 1;
	*outlen = n;
	return out;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static struct jv *parse_number(struct parser *ps)
{
	const char *s = ps->p, *p = s, *e = ps->end;
	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (p < e && is_digit(*p))
		while (p < e && is_digit(*p))
			p++;
	else
		return fail(ps, "bad number");
	if (p < e && *p == '.') {
		p++;
		if (p >= e || !is_digit(*p))
			return fail(ps, "bad number");
		while (p < e && is_digit(*p))
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || !is_digit(*p))
			return fail(ps, "bad number");
		while (p < e && is_digit(*p))
			p++;
	}
	struct jv *v = new_value(ps, J_NUM);
	if (!v)
		return NULL;
	v->str = arena_strndup(ps->a, s, (size_t)(p - s));
	if (!v->str)
		return out_of_memory(ps);
	v->len = (size_t)(p - s);
	ps->p = p;
	return v;
}

static struct jv *parse_word(struct parser *ps, const char *w, enum jtype t)
{
	size_t n = strlen(w);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
		return fail(ps, "unexpected token");
	ps->p += n;
	return new_value(ps, t);
}

/* Arrays and objects share this: elements are linked in order. */
static struct jv *parse_container(struct parser *ps, int depth, int is_obj)
{
	struct jv *v = new_value(ps, is_obj ? J_OBJ : J_ARR);
	if (!v)
		return NULL;
	char close = is_obj ? '}' : ']';
	struct jv **tail = &v->child;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return v;
	}
	for (;;) {
		const char *key = NULL;
		skip_ws(ps);
		if (is_obj) {
			size_t klen;
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected member name");
			if (!(key = parse_string(ps, &klen)))
				return NULL;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "expected ':'");
			ps->p++;
		}
		struct jv *c = parse_value(ps, depth + 1);
		if (!c)
			return NULL;
		c->key = key;
		*tail = c;
		tail = &c->next;
		v->len++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return v;
		}
		return fail(ps, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static struct jv *parse_value(struct parser *ps, int depth)
{
	if (depth > MAX_DEPTH)
		return fail(ps, "nested too deeply");
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end");
	switch (*ps->p) {
	case '{':
		return parse_container(ps, depth, 1);
	case '[':
		return parse_container(ps, depth, 0);
	case '"': {
		struct jv *v = new_value(ps, J_STR);
		if (!v || !(v->str = parse_string(ps, &v->len)))
			return NULL;
		return v;
	}
	case 't':
		return parse_word(ps, "true", J_TRUE);
	case 'f':
		return parse_word(ps, "false", J_FALSE);
	case 'n':
		return parse_word(ps, "null", J_NULL);
	default:
		return parse_number(ps);
	}
}

struct jv *json_parse(struct arena *a, const char *text, size_t len, const char **err)
{
	struct parser ps = { .a = a, .p = text, .end = text + len, .err = NULL };
	struct jv *v = parse_value(&ps, 0);
	if (v) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			v = fail(&ps, "trailing characters");
	}
	if (!v) {
		*err = ps.err ? ps.err : "parse error";
		errno = ps.nomem ? ENOMEM : EINVAL;
	}
	return v;
}

const struct jv *json_get(const struct jv *obj, const char *key)
{
	const struct jv *found = NULL;
	if (!obj || obj->type != J_OBJ)
		return NULL;
	for (const struct jv *c = obj->child; c; c = c->next)
		if (strcmp(c->key, key) == 0)
			found = c;
	return found;
}
