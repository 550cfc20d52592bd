/* The container's embedded DNS server (annotation run.hutch.dns, PROTOCOL.md
 * "Names"): 127.0.0.11:53, UDP and TCP, inside the container's network
 * namespace, answering the names of its networks' names directories and
 * forwarding everything else to the host's resolvers from the monitor's own
 * (the host's) namespace, where even a 127.0.0.53 resolver is reachable.
 *
 * One server per monitor, so its state is static here: a container on a
 * network of 500 starts as fast as on an empty one (the engine adds one
 * symlink; nobody reloads anything), and the monitor's memory stays fixed
 * (a pending table, no allocation per query).
 *
 * The child, in its new namespace after lo is up, creates and binds the two
 * sockets and hands them to the monitor over the report channel before
 * execve: so they exist before the command can send its first query, and
 * the monitor never leaves its own namespace (no setns back and forth). */
#ifndef HUTCH_DNS_H
#define HUTCH_DNS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

#define DNS_PENDING 64 /* forwarded queries in flight */
#define DNS_TCP 8      /* TCP clients at once */
#define DNS_POLL_MAX (2 + DNS_TCP + DNS_PENDING)

/* Parses s->dns (*step "config" and detail on a malformed one). */
int dns_parse(const struct spec *s, const char **step, char *detail, size_t len);

/* Parent, before clone(): opens the names directories (step "dns"). */
int dns_prepare(const char **step, char *detail, size_t len);

/* Child, after its interfaces: closes the directories, creates the sockets
 * and sends them to the monitor (REPORT_DNS_UDP/TCP). Reports "dns" and
 * exits on failure. Nothing without the annotation. */
void dns_child_open(void);

/* Monitor: a socket received from the child (report kind). */
void dns_adopt(int kind, int fd);

/* Monitor's loop: fills at most DNS_POLL_MAX entries, returns how many;
 * the poll timeout its deadlines need (-1: none); then handles the
 * events of the same entries and the expired deadlines. */
int dns_poll(struct pollfd *pfd);
int dns_timeout(void);
void dns_step(const struct pollfd *pfd, int n);

#endif
