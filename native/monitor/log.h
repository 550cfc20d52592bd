/* The CRI "k8s-file" log: one line per chunk of output,
 *   2026-11-22T14:31:40.802133179Z stdout F text
 * F for a chunk that ended in a newline (the newline itself is not repeated),
 * P for a partial one: a line longer than the buffer, or what was left at EOF.
 * Like Docker's copier, an unfinished line waits in the stream's buffer for its
 * newline rather than being cut at every read. */
#ifndef HUTCH_LOG_H
#define HUTCH_LOG_H

#include <stddef.h>
#include <sys/types.h>

#define LOG_BUF 8192

struct logstream {
	int in;           /* pipe or pty master, -1 once at EOF */
	int copy_to;      /* attached mode: also copy raw output here; -1 for none */
	const char *name; /* "stdout" or "stderr" */
	/* also hands raw output to tee (attach clients, attach.h); NULL for none */
	void (*tee)(int type, const char *p, size_t n);
	int tee_type;
	size_t len;       /* bytes of an unfinished line held in buf */
	char buf[LOG_BUF];
};

/* Reads once from s->in and logs what is complete. Returns bytes read, 0 at EOF
 * (the remainder is then written as P and s->in closed), -1 on EAGAIN/error. */
ssize_t log_read(int logfd, struct logstream *s);

/* Writes a pending unfinished line as P and closes s->in (if still open). */
void log_close(int logfd, struct logstream *s);

#endif
