/* See log.h. */
#include "log.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* RFC 3339 with nanoseconds in UTC; formatted by hand (strftime would pull in
 * locale data for nothing). Returns the length (30). */
static size_t timestamp(char *out)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	unsigned v[] = { (unsigned)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday,
			 (unsigned)tm.tm_hour, (unsigned)tm.tm_min, (unsigned)tm.tm_sec, (unsigned)ts.tv_nsec };
	static const unsigned width[] = { 4, 2, 2, 2, 2, 2, 9 };
	static const char sep[] = "--T::.Z";
	size_t n = 0;
	for (int i = 0; i < 7; i++) {
		for (unsigned w = width[i], x = v[i]; w > 0; w--, x /= 10)
			out[n + w - 1] = (char)('0' + x % 10);
		n += width[i];
		out[n++] = sep[i];
	}
	return n;
}

static void emit(int logfd, const struct logstream *s, const char *ts, size_t tslen, char tag, const char *p, size_t n)
{
	char mid[16];
	size_t ml = strlen(s->name);
	mid[0] = ' ';
	memcpy(mid + 1, s->name, ml);
	mid[ml + 1] = ' ';
	mid[ml + 2] = tag;
	mid[ml + 3] = ' ';
	struct iovec iov[4] = {
		{ (void *)ts, tslen }, { mid, ml + 4 }, { (void *)p, n }, { "\n", 1 },
	};
	/* One writev per line on an O_APPEND fd: lines from stdout and stderr
	 * never interleave. A failed write (disk full) loses the line, never the
	 * container. */
	while (writev(logfd, iov, 4) < 0 && errno == EINTR)
		;
}

ssize_t log_read(int logfd, struct logstream *s)
{
	ssize_t n;
	do
		n = read(s->in, s->buf + s->len, sizeof s->buf - s->len);
	while (n < 0 && errno == EINTR);
	/* A pty master reads EIO once the last slave fd is closed: that is EOF. */
	if (n < 0 && errno != EIO)
		return -1;
	if (n <= 0) {
		log_close(logfd, s);
		return 0;
	}
	char ts[40];
	size_t tslen = timestamp(ts);
	if (s->copy_to >= 0 && write_all(s->copy_to, s->buf + s->len, (size_t)n) < 0)
		s->copy_to = -1; /* the reader went away: stop copying, keep logging */
	if (s->tee)
		s->tee(s->tee_type, s->buf + s->len, (size_t)n);
	size_t end = s->len + (size_t)n, start = 0;
	for (size_t i = s->len; i < end; i++) {
		if (s->buf[i] == '\n') {
			emit(logfd, s, ts, tslen, 'F', s->buf + start, i - start);
			start = i + 1;
		}
	}
	if (start == 0 && end == sizeof s->buf) {
		emit(logfd, s, ts, tslen, 'P', s->buf, end); /* a line longer than the buffer */
		start = end;
	}
	s->len = end - start;
	if (s->len && start)
		memmove(s->buf, s->buf + start, s->len);
	return n;
}

void log_close(int logfd, struct logstream *s)
{
	if (s->len) {
		char ts[40];
		size_t tslen = timestamp(ts);
		emit(logfd, s, ts, tslen, 'P', s->buf, s->len);
		s->len = 0;
	}
	if (s->in >= 0)
		close(s->in);
	s->in = -1;
}
