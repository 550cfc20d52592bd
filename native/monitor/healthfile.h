/* What the health checks (health.c) write for the engine: health.json, docker's
 * State.Health (Status, FailingStreak, Log of Start/End as RFC 3339 UTC with
 * nanoseconds, ExitCode, Output), and a health_status event line in the state
 * root's events.log when the status changes. */
#ifndef HUTCH_HEALTHFILE_H
#define HUTCH_HEALTHFILE_H

#include <stddef.h>
#include <time.h>

/* One probe's result, as Log keeps it. */
struct health_result {
	struct timespec start, end; /* realtime */
	int code;
	char *out; /* what the probe wrote (not NUL-terminated) */
	size_t len;
};

/* The whole file written to tmp and renamed to file: a reader sees the old or
 * the new. On any failure the old stays and tmp is removed. */
void health_file_write(const char *file, const char *tmp, const char *status, int streak,
		       const struct health_result *log, int nlog);

/* {"Type":"container","Action":"health_status: STATUS","Actor":ACTOR,...} in
 * one O_APPEND write to events (actor: the engine's JSON). Nothing when events
 * or actor is NULL. */
void health_event_write(const char *events, const char *actor, const char *status);

/* Go's time.Duration String() for whole milliseconds: 500ms, 30s, 1m30s, 1.5s
 * (docker's "Health check exceeded timeout (30s)"). */
void go_duration(unsigned long long ms, char *out, size_t cap);

#endif
