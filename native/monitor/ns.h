/* What a new network namespace needs before it is usable. (The clone with
 * the namespace flags is cgroup_clone in cgroup.c: it also places the child
 * in its v2 cgroup.) */
#ifndef HUTCH_NS_H
#define HUTCH_NS_H

/* Brings the loopback interface of the current network namespace up. */
int ns_loopback_up(void);

#endif
