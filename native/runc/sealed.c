/* CVE-2019-5736: a container whose command is /proc/self/exe runs the binary
 * its init was (this one), and can then reopen that file for writing through
 * /proc and replace the host's hutch-runc. As runc and crun do, the commands
 * that start a process in a container (create, run, exec) first re-exec
 * themselves from a sealed memfd copy: what the container can reach is that
 * copy, which no one can write. */
#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runc.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

void reexec_sealed(char **argv)
{
	extern char **environ;
	int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		die("opening /proc/self/exe: %s", strerror(errno));
	int seals = fcntl(exe, F_GET_SEALS);
	if (seals >= 0 && (seals & SEALS) == SEALS) {
		close(exe); /* this is the copy already */
		return;
	}
	struct stat st;
	int m = memfd_create("hutch-runc", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (m < 0 || fstat(exe, &st) < 0)
		die("copying hutch-runc into a sealed memfd: %s", strerror(errno));
	for (off_t off = 0; off < st.st_size;) {
		ssize_t n = sendfile(m, exe, &off, (size_t)(st.st_size - off));
		if (n <= 0)
			die("copying hutch-runc into a sealed memfd: %s", n < 0 ? strerror(errno) : "short copy");
	}
	close(exe);
	if (fcntl(m, F_ADD_SEALS, SEALS) < 0)
		die("sealing the memfd copy of hutch-runc: %s", strerror(errno));
	syscall(SYS_execveat, m, "", argv, environ, AT_EMPTY_PATH);
	die("executing the memfd copy of hutch-runc: %s", strerror(errno));
}
