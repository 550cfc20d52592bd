/* Health checks (docker's HEALTHCHECK, moby daemon/health.go) run by the
 * container's monitor, so no daemon and no systemd timer is needed.
 *
 * The engine puts the check in the annotation run.hutch.health, one "key value"
 * per line (values run to the end of the line):
 *   interval MS | timeout MS | start-period MS | start-interval MS | retries N
 *   file PATH     health.json, docker's State.Health, rewritten by rename
 *   events PATH   the state root's events.log (a health_status line per change)
 *   actor JSON    the event's Actor object, rendered by the engine
 *   cmd ARG       the probe's argv, one line per argument
 * A probe is `hutch-monitor exec` of that argv (the same path as `hutch exec`:
 * the container's namespaces, cgroups, user, seccomp), stdout and stderr into
 * one pipe, the first 4096 bytes kept, killed at the timeout; the last 5 results
 * are kept. SIGURG asks for a probe now (`hutch healthcheck run`). */
#ifndef HUTCH_HEALTH_H
#define HUTCH_HEALTH_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>

#include "verbs.h"

#define HEALTH_POLL_FDS 2

/* Takes the annotation's text (kept: the argv points into it). Returns false when
 * there is nothing to check (NULL, no cmd). Call before the container runs. */
bool health_setup(char *annotation, const struct run_opts *o, pid_t init);

/* Fills p[0..HEALTH_POLL_FDS) (fd -1 where unused). */
void health_poll(struct pollfd *p);

/* After poll(): the timer, the probe's output. */
void health_step(const struct pollfd *p);

/* A child was reaped: true if it was the probe (its result is recorded). */
bool health_reaped(pid_t pid, int status);

/* SIGURG: probe now (or right after the probe that runs). */
void health_request(void);

/* The container exited: a running probe is killed, nothing more is scheduled. */
void health_stop(void);

#endif
