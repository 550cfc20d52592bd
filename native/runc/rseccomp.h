/* linux.seccomp of config.json compiled to the classic BPF program seccomp(2)
 * runs, for x86_64, without libseccomp: a C port of the engine's compiler
 * (src/engine/security/seccomp/compile.ts), same program shape:
 *   arch != AUDIT_ARCH_X86_64 -> defaultAction (x86 and x32 callers too)
 *   nr with __X32_SYSCALL_BIT -> defaultAction
 *   nr above the table        -> ENOSYS (runc's stub)
 *   a binary search over ranges of numbers with one verdict; a syscall whose
 *   rules all have args gets a leaf checking them in order (args of one rule
 *   ANDed, 64-bit compares high word first), else defaultAction.
 * Names the table does not know are skipped (runc skips them too). */
#ifndef HUTCH_RSECCOMP_H
#define HUTCH_RSECCOMP_H

#include <stddef.h>

#include "../monitor/arena.h"
#include "../monitor/spec.h"

extern const unsigned x86_64_max_syscall;
extern const char x86_64_syscall_table[];

/* Compiles s->json's linux.seccomp (if any) into arena memory and sets
 * s->seccomp_prog, seccomp_len, seccomp_flags and s->seccomp (for messages).
 * 0, or -1 with a message in err. */
int rseccomp_compile(struct arena *a, struct spec *s, char *err, size_t errlen);

#endif
