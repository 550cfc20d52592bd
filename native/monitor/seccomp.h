/* The container's seccomp filter: a classic BPF program the engine compiled
 * (src/engine/security/seccomp) and named in the annotation run.hutch.seccomp =
 * `[FLAG,...:]/host/path.bpf` (FLAG: log, spec_allow). The monitor reads the file
 * before entering anything of the container (a host path), and the child loads
 * it as one of its last steps before execve (proc.c says when). */
#ifndef HUTCH_SECCOMP_H
#define HUTCH_SECCOMP_H

#include "arena.h"
#include "spec.h"

/* Reads s->seccomp's program into arena memory (s->seccomp_prog). Nothing to do
 * without the annotation. -1 with errno (EINVAL: a size that is not a whole
 * number of instructions, empty, more than 4096 of them, or an unknown flag) and
 * *path set to the file or the annotation. */
int seccomp_read(struct arena *a, struct spec *s, const char **path);

/* Installs the program read (seccomp(SECCOMP_SET_MODE_FILTER)); 0 without one.
 * Needs no_new_privs or CAP_SYS_ADMIN. 0 or -1 (errno). */
int seccomp_apply(const struct spec *s);

#endif
