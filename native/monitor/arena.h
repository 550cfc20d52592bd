/* A bump allocator over one private anonymous mapping. The parsed config.json
 * (JSON tree and the spec built from it) lives in an arena so that the monitor
 * can give every page of it back to the kernel with one munmap() once the
 * container runs: free() would keep the pages in the heap, resident for the
 * container's whole life, and the monitor aims at a PSS of a few dozen KiB. */
#ifndef HUTCH_ARENA_H
#define HUTCH_ARENA_H

#include <stddef.h>

struct arena {
	char *base;
	size_t size;
	size_t used;
};

/* Reserves size bytes (address space only; pages appear when touched). 0 / -1. */
int arena_init(struct arena *a, size_t size);
/* 16-byte aligned, zeroed memory, or NULL (errno ENOMEM) when the arena is full. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_release(struct arena *a);

#endif
