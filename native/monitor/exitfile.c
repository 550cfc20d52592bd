/* See exitfile.h. */
#include "exitfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include "util.h"

int write_file_atomic(const char *path, long long value, bool sync)
{
	char tmp[PATH_MAX], text[32];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int len = snprintf(text, sizeof text, "%lld\n", value);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	if (write_all(fd, text, (size_t)len) < 0 || (sync && fsync(fd) < 0)) {
		int e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

static int lock_name(char *buf, size_t size, const char *exit_path)
{
	if ((size_t)snprintf(buf, size, "%s.lock", exit_path) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* As long as any status line: written at start so the block is allocated
 * then, and every later write lands inside it. */
static const char reserve_text[] = "0 0                            \n";

static int put(int fd, const char *text, size_t len)
{
	ssize_t n;
	do
		n = pwrite(fd, text, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = ENOSPC;
		return -1;
	}
	return ftruncate(fd, (off_t)len);
}

int exit_reserve(const char *exit_path)
{
	char name[PATH_MAX];
	if (lock_name(name, sizeof name, exit_path) < 0)
		return -1;
	int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		int e = errno;
		close(fd);
		errno = (e == EAGAIN || e == EACCES) ? EBUSY : e;
		return -1;
	}
	if (put(fd, reserve_text, sizeof reserve_text - 1) < 0) {
		int e = errno;
		close(fd);
		unlink(name);
		errno = e;
		return -1;
	}
	return fd;
}

int exit_record_pid(int fd, pid_t pid, pid_t monitor)
{
	char text[48];
	int len = snprintf(text, sizeof text, "%d %d\n", (int)pid, (int)monitor);
	return put(fd, text, (size_t)len);
}

int exit_commit(int fd, const char *exit_path, int status)
{
	char name[PATH_MAX], text[16];
	if (lock_name(name, sizeof name, exit_path) < 0)
		return -1;
	int len = snprintf(text, sizeof text, "%d\n", status);
	if (put(fd, text, (size_t)len) < 0 || fsync(fd) < 0)
		return -1;
	return rename(name, exit_path);
}
