/* A syscall probe for the seccomp tests (bubblewrap's try-syscall.c style): calls
 * each syscall below with harmless arguments and prints `NAME ERRNO` per line
 * (0: it succeeded). The arguments are chosen so that without a filter the call
 * fails for its own reasons (EFAULT, EINVAL…) or does nothing lasting, so the
 * errno tells the filter's verdict apart from the kernel's. Static, built beside
 * hutch-monitor, bind-mounted into a container by the tests. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#define X32_BIT 0x40000000L

static void report(const char *name, long r)
{
	printf("%s %d\n", name, r < 0 ? errno : 0);
}

/* clone with flags: the child (if any) exits at once. */
static long try_clone(unsigned long flags)
{
	long r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* `syscall-probe true`: does nothing (a program to exec under the filter). */
	if (argc > 1 && strcmp(argv[1], "true") == 0)
		return 0;
	char buf[1];
	int null = open("/dev/null", O_RDONLY);
	report("read", read(null, buf, 1));
	report("getpid", syscall(SYS_getpid));
	report("personality_query", personality(0xffffffff));
	report("clone_plain", try_clone(0));
	report("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
	report("add_key", syscall(SYS_add_key, "user", "hutch-probe", "x", 1, -3));
	report("clone_newuser", try_clone(CLONE_NEWUSER));
	report("unshare_user", unshare(CLONE_NEWUSER));
	report("mount", syscall(SYS_mount, NULL, NULL, NULL, 0, NULL));
	report("bpf", syscall(SYS_bpf, -1, NULL, 0));
	report("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
	report("userfaultfd", syscall(SYS_userfaultfd, -1));
	report("io_uring_setup", syscall(SYS_io_uring_setup, 0, NULL));
	report("clone3", syscall(SYS_clone3, NULL, 0));
	report("nr1000", syscall(1000));
	int vs = socket(AF_VSOCK, SOCK_STREAM, 0);
	report("socket_vsock", vs);
	report("socket_unix", socket(AF_UNIX, SOCK_STREAM, 0));
	report("personality_bad", personality(0x0040000 /* ADDR_NO_RANDOMIZE */));
	/* Last: a filter listing only SCMP_ARCH_X86_64 kills an x32 caller under
	 * libseccomp (its bad-arch action; runc, crun), so nothing after it would print. */
	report("x32_getpid", syscall(X32_BIT | SYS_getpid));
	return 0;
}
