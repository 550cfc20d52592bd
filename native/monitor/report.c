/* See report.h. */
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

int report_fd = -1;

static int send_record(const struct report *r, int fd)
{
	struct iovec iov = { .iov_base = (void *)r, .iov_len = sizeof *r };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		memset(&u, 0, sizeof u);
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof u.buf;
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	}
	ssize_t n;
	do
		n = sendmsg(report_fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof *r ? 0 : -1;
}

void child_fail(const char *step, int err)
{
	struct report r = { .kind = REPORT_ERROR, .err = err ? err : EIO };
	strncpy(r.step, step, sizeof r.step - 1);
	send_record(&r, -1);
	_exit(1);
}

void child_failf(const char *step, int err, const char *fmt, ...)
{
	struct report r = { .kind = REPORT_ERROR, .err = err ? err : EIO };
	strncpy(r.step, step, sizeof r.step - 1);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(r.detail, sizeof r.detail, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof r.detail)
		memcpy(r.detail + sizeof r.detail - 4, "...", 4);
	send_record(&r, -1);
	_exit(1);
}

int report_send_fd(int fd)
{
	return report_send_kind_fd(REPORT_CONSOLE, fd);
}

int report_send_kind_fd(int kind, int fd)
{
	struct report r = { .kind = kind };
	return send_record(&r, fd);
}

int report_recv(int sock, struct report *r, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = r, .iov_len = sizeof *r };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
	ssize_t n;
	*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return (int)n;
	if (n != (ssize_t)sizeof *r) {
		errno = EPROTO;
		return -1;
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(cm), sizeof *fd);
	r->step[sizeof r->step - 1] = 0;
	r->detail[sizeof r->detail - 1] = 0;
	return 1;
}

int report_until_exec(int sock, struct report *r)
{
	int fd, got;
	while ((got = report_recv(sock, r, &fd)) > 0 && r->kind != REPORT_ERROR)
		if (fd >= 0)
			close(fd);
	return got;
}

/* src as one line of at most size - 1 bytes: control characters become '?',
 * and what is cut ends in "...". */
static void one_line(char *dst, size_t size, const char *src)
{
	size_t i = 0;
	for (; src[i] && i < size - 1; i++)
		dst[i] = ((unsigned char)src[i] < 0x20 || src[i] == 0x7f) ? '?' : src[i];
	dst[i] = 0;
	if (src[i] && size > 4)
		memcpy(dst + size - 4, "...", 4);
}

void report_failure(int sync_fd, const char *verb, const char *step, int err, const char *detail)
{
	char d[256], line[512];
	one_line(d, sizeof d, detail ? detail : "");
	if (sync_fd >= 0)
		snprintf(line, sizeof line, "error %s %s %d%s%s\n", step, errname(err), err, *d ? " " : "", d);
	else
		snprintf(line, sizeof line, "hutch-monitor: %s: %s%s%s: %s (%s)\n", verb, step, *d ? ": " : "", d,
			 errname(err), strerror(err));
	write_str(sync_fd >= 0 ? sync_fd : 2, line); /* EPIPE: the engine went away; fine */
}
