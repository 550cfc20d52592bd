/* See arena.h. */
#include "arena.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

int arena_init(struct arena *a, size_t size)
{
	size = (size + 4095) & ~(size_t)4095;
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	a->base = p;
	a->size = size;
	a->used = 0;
	return 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
	size_t off = (a->used + 15) & ~(size_t)15;
	if (off > a->size || n > a->size - off) {
		errno = ENOMEM;
		return NULL;
	}
	a->used = off + n;
	return a->base + off; /* fresh anonymous pages are already zero */
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

void arena_release(struct arena *a)
{
	if (a->base)
		munmap(a->base, a->size);
	a->base = NULL;
	a->size = a->used = 0;
}
