/* See userns.h. */
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mountint.h"
#include "report.h"
#include "util.h"

enum { USERNS_ROOT = 100, USERNS_BIND = 101, USERNS_GO = 102 };

static int write_map(pid_t pid, const char *file, const char *map)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/%s", (int)pid, file);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	/* uid_map takes the whole map in one write() */
	int r = fd < 0 ? -1 : (write(fd, map, strlen(map)) == (ssize_t)strlen(map) ? 0 : -1);
	int e = errno;
	if (fd >= 0)
		close(fd);
	errno = e;
	return r;
}

static bool has_option(const struct spec_mount *m, const char *name)
{
	for (size_t i = 0; i < m->noptions; i++)
		if (strcmp(m->options[i], name) == 0)
			return true;
	return false;
}

/* open_tree clone of path (relative to dirfd), idmapped to userns. */
static int idmapped(int dirfd, const char *path, int userns, bool rec)
{
	int tree = open_tree(dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (*path ? 0 : AT_EMPTY_PATH) | (rec ? AT_RECURSIVE : 0));
	if (tree < 0)
		return -1;
	struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
	if (mount_setattr(tree, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &a, sizeof a) < 0) {
		int e = errno;
		close(tree);
		errno = e;
		return -1;
	}
	return tree;
}

/* The overlay of the run.hutch.overlay annotation ("lowerdir=A:B,upperdir=U,
 * workdir=W", relative paths relative to the bundle), lowers idmapped. Runs in
 * a helper process of its own mount namespace: overlayfs takes a layer only
 * from a mount of the mounter's namespace (clone_private_mount refuses a
 * detached one), so each idmapped lower is attached on a directory of a tmpfs
 * there, seen by nobody else and gone with the helper; the overlay keeps its
 * own private clones of them. Failures are reported on report_fd. */
__attribute__((noreturn)) static void overlay_helper(const struct spec *s, const char *bpath, int userns)
{
	char opts[8192], path[PATH_MAX], dir[PATH_MAX];
	if (strlen(s->overlay) >= sizeof opts)
		child_failf("rootfs", E2BIG, "run.hutch.overlay (too long)");
	strcpy(opts, s->overlay);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_failf("rootfs", errno, "overlay (private mount namespace)");
	/* The bundle's rootfs dir: ours, and covered only in this namespace. */
	snprintf(dir, sizeof dir, "%s/rootfs", bpath);
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=700,size=64k") < 0)
		child_failf("rootfs", errno, "%s (tmpfs for idmapped lowers)", dir);
	int fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		child_failf("rootfs", errno, "overlay");
	unsigned n = 0;
	char *save = NULL;
	for (char *kv = strtok_r(opts, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = 0;
		if (eq && strcmp(kv, "lowerdir") == 0) {
			char *s2 = NULL;
			for (char *d = strtok_r(eq + 1, ":", &s2); d; d = strtok_r(NULL, ":", &s2), n++) {
				snprintf(path, sizeof path, "%s/%u", dir, n);
				int t = idmapped(AT_FDCWD, d, userns, false);
				int at = t < 0 || mkdir(path, 0700) < 0 ? -1 : open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
				if (at < 0 || mnt_attach(t, at) < 0 || fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", path, 0) < 0)
					child_failf("rootfs", errno, "%s (idmapped lower)", d);
				close(t);
				close(at);
			}
			continue;
		}
		const char *v = eq ? eq + 1 : NULL;
		if (v && *v != '/' && (strcmp(kv, "upperdir") == 0 || strcmp(kv, "workdir") == 0)) {
			snprintf(path, sizeof path, "%s/%s", bpath, v);
			v = path;
		}
		if (fsconfig(fsfd, v ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, kv, v, 0) < 0)
			child_failf("rootfs", errno, "overlay (%s)", kv);
	}
	int m;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 || (m = fsmount(fsfd, FSMOUNT_CLOEXEC, 0)) < 0)
		child_failf("rootfs", errno, "%s (overlay of idmapped lowers)", s->root_path);
	if (report_send_kind_fd(USERNS_ROOT, m) < 0)
		_exit(1);
	_exit(0);
}

/* The overlay, from a helper (overlay_helper): its fd, or -1 with errno. */
static int overlay(const struct spec *s, const char *bpath, int userns, char *what, size_t whatlen)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid_t h = fork();
	if (h == 0) {
		close(sv[0]);
		report_fd = sv[1];
		overlay_helper(s, bpath, userns);
	}
	close(sv[1]);
	struct report r;
	int fd = -1;
	int got = h < 0 ? -1 : report_recv(sv[0], &r, &fd);
	int e = errno;
	close(sv[0]);
	if (h > 0)
		while (waitpid(h, NULL, 0) < 0 && errno == EINTR)
			;
	if (got > 0 && r.kind == USERNS_ROOT && fd >= 0)
		return fd;
	if (fd >= 0)
		close(fd);
	snprintf(what, whatlen, "%s", got > 0 ? r.detail : "overlay (helper)");
	errno = got > 0 ? r.err : got == 0 ? EPIPE : e;
	return -1;
}

static int send_kind(int sock, int kind, int fd)
{
	int saved = report_fd;
	report_fd = sock; /* report.c's sender writes to report_fd */
	int r = report_send_kind_fd(kind, fd);
	report_fd = saved;
	return r;
}

int userns_prepare(pid_t pid, const struct spec *s, const char *bundle, int sock, const char **step, char *what,
		   size_t whatlen)
{
	int userns = -1, bfd = -1, r = -1;
	*what = 0;
	*step = "userns";
	snprintf(what, whatlen, "uid_map %.60s", s->uid_map);
	if (write_map(pid, "uid_map", s->uid_map) < 0)
		return -1;
	snprintf(what, whatlen, "gid_map %.60s", s->gid_map);
	if (write_map(pid, "gid_map", s->gid_map) < 0)
		return -1;
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/ns/user", (int)pid);
	snprintf(what, whatlen, "%s", p);
	if ((userns = open(p, O_RDONLY | O_CLOEXEC)) < 0 || (bfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto out;
	/* Relative bind sources are relative to the bundle, as in the init. */
	if (fchdir(bfd) < 0)
		goto out;
	*step = "rootfs";
	if (s->overlay) {
		int m = overlay(s, bundle, userns, what, whatlen);
		if (m < 0 || send_kind(sock, USERNS_ROOT, m) < 0)
			goto out;
		close(m);
	}
	*step = "mount";
	for (size_t i = 0; i < s->nmounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		struct mopts o;
		int tree = -1;
		/* Errors in the entry itself are the init's to report, as
		 * without a user namespace: it gets no tree and does it all. */
		/* Only binds asking for it (OCI's "idmap"): hutch's own files, which
		 * should look root's inside. Volumes and user binds are not idmapped,
		 * as docker's userns-remap: what the container's root writes there is
		 * owned by the range's base on the host. */
		if (mopts_parse(m, &o) == 0 && (o.bind || strcmp(m->type, "bind") == 0)) {
			const char *then;
			int src = bind_source(m, &o, &then);
			if (src >= 0) {
				/* Opened here, as the host's root: the container's root could
				 * not even reach a source under a 0700 state root. */
				tree = has_option(m, "idmap") ? idmapped(src, "", userns, o.rec)
							       : open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (o.rec ? AT_RECURSIVE : 0));
				if (tree < 0 && errno != EINVAL) {
					snprintf(what, whatlen, "%s (idmapped bind from %s)", m->destination, m->source);
					close(src);
					goto out;
				}
				close(src);
			}
		}
		int sr = send_kind(sock, USERNS_BIND, tree);
		if (tree >= 0)
			close(tree);
		if (sr < 0)
			goto out;
	}
	r = 0;
out:;
	int e = errno;
	if (userns >= 0)
		close(userns);
	if (bfd >= 0)
		close(bfd);
	errno = e;
	return r;
}

int userns_go(int sock)
{
	return send_kind(sock, USERNS_GO, -1);
}

void userns_wait(int sock, const struct spec *s, int *root_tree, int **trees)
{
	struct report r;
	int fd;
	size_t n = 0;
	*root_tree = -1;
	*trees = malloc((s->nmounts ? s->nmounts : 1) * sizeof **trees);
	if (!*trees)
		child_fail("userns", ENOMEM);
	for (;;) {
		int got = report_recv(sock, &r, &fd);
		if (got <= 0)
			_exit(1); /* the monitor failed (and says why) or is gone */
		if (r.kind == USERNS_GO)
			break;
		if (r.kind == USERNS_ROOT)
			*root_tree = fd;
		else if (r.kind == USERNS_BIND && n < s->nmounts)
			(*trees)[n++] = fd;
		else
			child_fail("userns", EPROTO);
	}
	if (n != s->nmounts)
		child_fail("userns", EPROTO);
	/* We were cloned by the host's root, whose ids the new namespace does not
	 * map: until we take the namespace's own root ids, every file we make (the
	 * /dev tmpfs's nodes and mount points) would be owned by an unmapped id,
	 * which the kernel refuses with EOVERFLOW. The maps are written now. */
	if (setresgid(0, 0, 0) < 0)
		child_fail("userns setresgid", errno);
	if (setresuid(0, 0, 0) < 0)
		child_fail("userns setresuid", errno);
}
