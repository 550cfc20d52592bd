/* Files and sockets that create, run and exec share: the console socket
 * (runc's recvtty dialect: the pty master by SCM_RIGHTS, a name as the data),
 * the pid file (the pid, no newline, as runc writes it) and mkdir -p. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../monitor/util.h"
#include "runc.h"

int console_connect(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(sock) >= sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int console_send(int fd, int master)
{
	char name[] = "/dev/ptmx";
	struct iovec iov = { .iov_base = name, .iov_len = sizeof name - 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof master);
	return sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int write_pid_file(int dirfd, const char *path, pid_t pid)
{
	char tmp[PATH_MAX], num[32];
	snprintf(tmp, sizeof tmp, "%s.hutch-runc.tmp", path);
	int n = snprintf(num, sizeof num, "%d", (int)pid); /* no newline, as runc */
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, num, (size_t)n) < 0 || close(fd) < 0 || renameat(dirfd, tmp, dirfd, path) < 0)
		return -1;
	return 0;
}

/* mkdir -p (containerd's --root /run/containerd/runc/<namespace> may not exist yet). */
int mkdir_p(const char *path, mode_t mode)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(p, 0711) < 0 && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(p, mode) < 0 && errno != EEXIST ? -1 : 0;
}
