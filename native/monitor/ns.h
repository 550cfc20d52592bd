/* Namespaces: creating the container init in new ones, and what a new UTS or
 * network namespace needs before it is usable. */
#ifndef HUTCH_NS_H
#define HUTCH_NS_H

#include <sys/types.h>

/* clone(2) without a new stack, i.e. fork() semantics, with extra CLONE_NEW*
 * flags and CLONE_PIDFD. Returns 0 in the child; in the parent the child's pid
 * with *pidfd set. The raw syscall is used because glibc's clone() wants a
 * separate stack and a function, and fork() takes no flags. CLONE_NEWPID has
 * to be given here (unshare would only affect later children). */
pid_t clone_ns(int ns_flags, int *pidfd);

/* Brings the loopback interface of the current network namespace up. */
int ns_loopback_up(void);

#endif
