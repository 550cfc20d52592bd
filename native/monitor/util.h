/* Small helpers shared by every part of the monitor. The monitor avoids stdio
 * (FILE buffers cost heap pages that would stay resident for the container's
 * whole life) and writes with plain write(2). */
#ifndef HUTCH_UTIL_H
#define HUTCH_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Writes all of buf, retrying on EINTR and short writes. 0 or -1 (errno set). */
int write_all(int fd, const void *buf, size_t len);

/* write_all of a NUL-terminated string. */
int write_str(int fd, const char *s);

/* Moves fd to a number >= 3 with FD_CLOEXEC set, so that dup2()ing a set of fds
 * onto 0/1/2 cannot clobber one of the sources. Returns the new fd or -1. */
int fd_above_stdio(int fd);

/* The process the engine started exits at once; its child carries on in a
 * session of its own with stdio on /dev/null, and outlives the caller (run
 * without --attach, exec --detach). Returns 0 in the child, -1 if fork failed. */
/* stdin, stdout and stderr on /dev/null. */
void stdio_to_null(void);
int detach_from_caller(void);

/* Symbolic errno name ("ENOENT"); "E?" when glibc does not know it. */
const char *errname(int err);

/* Blocks the signals a monitor waits for: SIGCHLD, SIGWINCH, those it passes
 * on to its command (INT, TERM, HUP, QUIT, USR1, USR2) and extra unless 0.
 * A non-blocking signalfd for them, or -1 (errno). */
int monitor_signalfd(int extra);

/* A wait(2) status as an exit status, as a shell gives it: the code, or
 * 128+N when killed by signal N (255 for anything else). */
int exit_code(int status);

/* Parses a non-negative decimal integer that must fit in max. 0 or -1. */
int parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/* All that fd gives until EOF (or a read error), in a malloc'd buffer grown as
 * it fills, NUL-terminated; its length in *len. NULL when out of memory. */
char *slurp_fd(int fd, size_t *len);

/* slurp_fd of the file at path. NULL (errno) when it cannot be opened. */
char *slurp(const char *path, size_t *len);

#endif
