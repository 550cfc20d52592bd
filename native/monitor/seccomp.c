/* See seccomp.h. Raw BPF, no libseccomp: the engine compiles, the monitor only
 * checks the size and hands the program to the kernel, which verifies it. */
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>


#define MAX_INSNS 4096 /* BPF_MAXINSNS */

static int parse_flags(const char *s, size_t n, unsigned *flags)
{
	while (n) {
		size_t w = 0;
		while (w < n && s[w] != ',')
			w++;
		if (w == 3 && memcmp(s, "log", 3) == 0)
			*flags |= SECCOMP_FILTER_FLAG_LOG;
		else if (w == 10 && memcmp(s, "spec_allow", 10) == 0)
			*flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		else
			return -1;
		s += w;
		n -= w;
		if (n) {
			s++;
			n--;
		}
	}
	return 0;
}

int seccomp_read(struct arena *a, struct spec *s, const char **path)
{
	const char *v = s->seccomp;
	*path = v;
	if (!v || !*v)
		return 0;
	/* A path is absolute; anything before the first ':' of a value that does
	 * not start with '/' is the flag list. */
	const char *file = v;
	unsigned flags = 0;
	if (*v != '/') {
		const char *colon = strchr(v, ':');
		if (!colon || colon[1] != '/' || parse_flags(v, (size_t)(colon - v), &flags) < 0) {
			errno = EINVAL;
			return -1;
		}
		file = colon + 1;
	}
	*path = file;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) ||
	    st.st_size > (off_t)(MAX_INSNS * sizeof(struct sock_filter))) {
		errno = EINVAL;
		goto fail;
	}
	size_t n = (size_t)st.st_size;
	char *buf = arena_alloc(a, n);
	if (!buf)
		goto fail;
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EINVAL; /* shrank under us */
			goto fail;
		}
		got += (size_t)r;
	}
	close(fd);
	s->seccomp_prog = buf;
	s->seccomp_len = (unsigned short)(n / sizeof(struct sock_filter));
	s->seccomp_flags = flags;
	return 0;
fail:
	{
		int e = errno;
		close(fd);
		errno = e;
	}
	return -1;
}

int seccomp_apply(const struct spec *s)
{
	if (!s->seccomp_prog)
		return 0;
	struct sock_fprog prog = { .len = s->seccomp_len, .filter = (struct sock_filter *)s->seccomp_prog };
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, s->seccomp_flags, &prog);
}
