/* A small JSON parser, just enough for config.json: objects, arrays, strings
 * (all escapes, \uXXXX with surrogate pairs, decoded to UTF-8), numbers, true,
 * false, null. It is our own so the monitor links nothing but libc.
 *
 * The tree is allocated in an arena (see arena.h). Strings are NUL-terminated;
 * a string holding \u0000 is rejected, since everything downstream uses C
 * strings. Numbers keep their source text, so callers convert them with the
 * exact range they need (rlimits are uint64, oomScoreAdj is a small int). */
#ifndef HUTCH_JSON_H
#define HUTCH_JSON_H

#include <stddef.h>

#include "arena.h"

enum jtype { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype type;
	const char *key;   /* member name when this value sits in an object */
	const char *str;   /* J_STR: decoded text; J_NUM: the number's source text */
	size_t len;        /* J_STR length; J_ARR / J_OBJ: number of children */
	struct jv *child;  /* first element / member */
	struct jv *next;   /* next sibling */
};

/* Parses text[0..len). On error returns NULL, points *err at a message and
 * sets errno: ENOMEM when the arena was full, else EINVAL. */
struct jv *json_parse(struct arena *a, const char *text, size_t len, const char **err);

/* Member of an object by name (the last one if repeated), or NULL. NULL-safe. */
const struct jv *json_get(const struct jv *obj, const char *key);

#endif
