/* Capabilities without libcap: names to numbers, and the raw syscalls. */
#ifndef HUTCH_CAPS_H
#define HUTCH_CAPS_H

#include <stdint.h>

struct capsets {
	uint64_t bounding, effective, permitted, inheritable, ambient;
};

/* "CAP_CHOWN" (or "chown", any case, with or without the prefix) -> 0..63, or -1. */
int cap_from_name(const char *name);

/* Drops from the bounding set every capability not in keep (needs CAP_SETPCAP,
 * so it runs while the process is still full root). 0 or -1 (errno). */
int caps_drop_bounding(uint64_t keep);

/* capset() effective/permitted/inheritable exactly as given, then clears the
 * ambient set and raises the given ambient capabilities. 0 or -1 (errno). */
int caps_apply(const struct capsets *c);

#endif
