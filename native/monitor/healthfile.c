/* See healthfile.h. The monitor avoids stdio: health.json goes out through a
 * small buffer of its own, the output strings escaped as they go. */
#include "healthfile.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* A small buffered writer for health.json (outputs are escaped as they go). */
struct wbuf {
	int fd;
	bool err;
	size_t n;
	char b[1024];
};

static void wb_flush(struct wbuf *w)
{
	if (w->n && !w->err && write_all(w->fd, w->b, w->n) < 0)
		w->err = true;
	w->n = 0;
}

static void wb_put(struct wbuf *w, const char *s, size_t n)
{
	while (n) {
		if (w->n == sizeof w->b)
			wb_flush(w);
		size_t k = sizeof w->b - w->n < n ? sizeof w->b - w->n : n;
		memcpy(w->b + w->n, s, k);
		w->n += k;
		s += k;
		n -= k;
	}
}

static void wb_str(struct wbuf *w, const char *s)
{
	wb_put(w, s, strlen(s));
}

/* A JSON string; bytes >= 0x80 go as they are (UTF-8 from the probe). */
static void wb_json(struct wbuf *w, const char *s, size_t n)
{
	wb_put(w, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			wb_put(w, esc, 2);
		} else if (c == '\n') {
			wb_put(w, "\\n", 2);
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			wb_put(w, esc, 6);
		} else {
			wb_put(w, (const char *)&c, 1);
		}
	}
	wb_put(w, "\"", 1);
}

static void wb_time(struct wbuf *w, const struct timespec *t)
{
	struct tm tm;
	char s[40];
	gmtime_r(&t->tv_sec, &tm);
	int n = snprintf(s, sizeof s, "\"%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ\"", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t->tv_nsec);
	wb_put(w, s, (size_t)n);
}

/* docker's State.Health, replaced whole by rename: a reader sees the old or the new. */
void health_file_write(const char *file, const char *tmp, const char *status, int streak,
		       const struct health_result *log, int nlog)
{
	struct wbuf w = { .fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) };
	if (w.fd < 0)
		return;
	char num[32];
	wb_str(&w, "{\"Status\":\"");
	wb_str(&w, status);
	snprintf(num, sizeof num, "\",\"FailingStreak\":%d,\"Log\":[", streak);
	wb_str(&w, num);
	for (int i = 0; i < nlog; i++) {
		const struct health_result *r = &log[i];
		wb_str(&w, i ? ",{\"Start\":" : "{\"Start\":");
		wb_time(&w, &r->start);
		wb_str(&w, ",\"End\":");
		wb_time(&w, &r->end);
		snprintf(num, sizeof num, ",\"ExitCode\":%d,\"Output\":", r->code);
		wb_str(&w, num);
		wb_json(&w, r->out, r->len);
		wb_str(&w, "}");
	}
	wb_str(&w, "]}\n");
	wb_flush(&w);
	bool ok = !w.err && close(w.fd) == 0;
	if (!ok || rename(tmp, file) < 0)
		unlink(tmp);
}

/* A health_status event line in the state root's events.log: one O_APPEND write. */
void health_event_write(const char *events, const char *actor, const char *status)
{
	if (!events || !actor)
		return;
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	size_t cap = strlen(actor) + 200;
	char *line = malloc(cap);
	if (!line)
		return;
	int n = snprintf(line, cap,
			 "{\"Type\":\"container\",\"Action\":\"health_status: %s\",\"Actor\":%s,\"scope\":\"local\","
			 "\"time\":%lld,\"timeNano\":%lld%09ld}\n",
			 status, actor, (long long)t.tv_sec, (long long)t.tv_sec, t.tv_nsec);
	int fd = open(events, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 && n > 0 && (size_t)n < cap) {
		write_all(fd, line, (size_t)n);
	}
	if (fd >= 0)
		close(fd);
	free(line);
}

/* Go's time.Duration String() for whole milliseconds: 500ms, 30s, 1m30s, 1.5s. */
void go_duration(unsigned long long ms, char *out, size_t cap)
{
	if (ms < 1000) {
		snprintf(out, cap, "%llums", ms);
		return;
	}
	unsigned long long hr = ms / 3600000, mn = ms / 60000 % 60, s = ms / 1000 % 60;
	char frac[8] = "";
	if (ms % 1000) {
		snprintf(frac, sizeof frac, ".%03u", (unsigned)(ms % 1000));
		for (int i = 3; i > 0 && frac[i] == '0'; i--)
			frac[i] = 0;
	}
	if (hr)
		snprintf(out, cap, "%lluh%llum%llu%ss", hr, mn, s, frac);
	else if (mn)
		snprintf(out, cap, "%llum%llu%ss", mn, s, frac);
	else
		snprintf(out, cap, "%llu%ss", s, frac);
}

