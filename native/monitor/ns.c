/* See ns.h. */
#include "ns.h"

#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

pid_t clone_ns(int ns_flags, int *pidfd)
{
	/* x86_64 and arm64 argument order: flags, stack, parent_tid, child_tid, tls.
	 * With CLONE_PIDFD the pidfd is stored through parent_tid. */
	long r = syscall(SYS_clone, (unsigned long)ns_flags | CLONE_PIDFD | SIGCHLD, NULL, pidfd, NULL, 0);
	return (pid_t)r;
}

int ns_loopback_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	int r = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return r;
}
