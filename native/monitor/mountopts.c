/* See mountint.h: the options of a mounts[] entry, and the small wrappers of
 * the mount API (kernel >= 5.12 for mount_setattr). */
#include "mountint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "util.h"

enum kind { SET, CLEAR, ATIME, PROP, BIND, RBIND, COPYUP, IGNORE };

static const struct {
	const char *name;
	uint64_t attr; /* MOUNT_ATTR_*, or MS_* for PROP */
	enum kind kind;
	bool rec;      /* PROP: the r- form */
} opt_table[] = {
	{ "ro", MOUNT_ATTR_RDONLY, SET, 0 },	   { "rw", MOUNT_ATTR_RDONLY, CLEAR, 0 },
	{ "nosuid", MOUNT_ATTR_NOSUID, SET, 0 },   { "suid", MOUNT_ATTR_NOSUID, CLEAR, 0 },
	{ "nodev", MOUNT_ATTR_NODEV, SET, 0 },	   { "dev", MOUNT_ATTR_NODEV, CLEAR, 0 },
	{ "noexec", MOUNT_ATTR_NOEXEC, SET, 0 },   { "exec", MOUNT_ATTR_NOEXEC, CLEAR, 0 },
	{ "nodiratime", MOUNT_ATTR_NODIRATIME, SET, 0 }, { "diratime", MOUNT_ATTR_NODIRATIME, CLEAR, 0 },
	{ "nosymfollow", MOUNT_ATTR_NOSYMFOLLOW, SET, 0 }, { "symfollow", MOUNT_ATTR_NOSYMFOLLOW, CLEAR, 0 },
	{ "noatime", MOUNT_ATTR_NOATIME, ATIME, 0 }, { "atime", MOUNT_ATTR_RELATIME, ATIME, 0 },
	{ "relatime", MOUNT_ATTR_RELATIME, ATIME, 0 }, { "norelatime", MOUNT_ATTR_STRICTATIME, ATIME, 0 },
	{ "strictatime", MOUNT_ATTR_STRICTATIME, ATIME, 0 }, { "nostrictatime", MOUNT_ATTR_RELATIME, ATIME, 0 },
	{ "private", MS_PRIVATE, PROP, 0 },	   { "rprivate", MS_PRIVATE, PROP, 1 },
	{ "shared", MS_SHARED, PROP, 0 },	   { "rshared", MS_SHARED, PROP, 1 },
	{ "slave", MS_SLAVE, PROP, 0 },		   { "rslave", MS_SLAVE, PROP, 1 },
	{ "unbindable", MS_UNBINDABLE, PROP, 0 },  { "runbindable", MS_UNBINDABLE, PROP, 1 },
	{ "bind", 0, BIND, 0 },			   { "rbind", 0, RBIND, 0 },
	{ "copyup", 0, COPYUP, 0 },		   { "defaults", 0, IGNORE, 0 },
	{ "tmpcopyup", 0, IGNORE, 0 }, /* runc's; not supported: ignored */
	{ "idmap", 0, IGNORE, 0 }, /* OCI: made by the monitor's user-namespace step (userns.c) */
};

static int lookup(const char *name)
{
	for (unsigned j = 0; j < ARRAY_LEN(opt_table); j++)
		if (strcmp(name, opt_table[j].name) == 0)
			return (int)j;
	return -1;
}

/* Applies one attribute option to a (set, clr) pair. The atime modes are one
 * field: mount_setattr wants all of MOUNT_ATTR__ATIME cleared to set one. */
static void apply(uint64_t *set, uint64_t *clr, enum kind k, uint64_t a)
{
	if (k == SET) {
		*set |= a;
		*clr &= ~a;
	} else if (k == CLEAR) {
		*clr |= a;
		*set &= ~a;
	} else {
		*set = (*set & ~MOUNT_ATTR__ATIME) | a;
		*clr |= MOUNT_ATTR__ATIME;
	}
}

int mopts_parse(const struct spec_mount *m, struct mopts *o)
{
	memset(o, 0, sizeof *o);
	size_t dl = 0;
	for (size_t i = 0; i < m->noptions; i++) {
		const char *opt = m->options[i];
		int j = lookup(opt);
		if (j >= 0) {
			enum kind k = opt_table[j].kind;
			if (k == SET || k == CLEAR || k == ATIME)
				apply(&o->set, &o->clr, k, opt_table[j].attr);
			else if (k == PROP) {
				o->prop = opt_table[j].attr;
				o->prop_rec = opt_table[j].rec;
			} else if (k == BIND || k == RBIND) {
				o->bind = true;
				o->rec |= k == RBIND;
			} else if (k == COPYUP)
				o->copyup = true;
			continue;
		}
		/* hutch-subpath=REL (a volume's subdirectory, `volume-subpath`): the
		 * source is resolved beneath the volume by the monitor itself, not by
		 * a path the engine joined: a container that can write the volume
		 * could swap a component for a symlink between create and start. */
		if (strncmp(opt, "hutch-subpath=", 14) == 0) {
			o->subpath = opt + 14;
			continue;
		}
		/* OCI runtime-spec 1.1 recursive attributes: "r" + an attribute
		 * option (rro, rnosuid, rnodev, rnoexec, rnoatime...), applied to
		 * every mount of the tree with AT_RECURSIVE. */
		if (opt[0] == 'r' && (j = lookup(opt + 1)) >= 0 && opt_table[j].kind <= ATIME) {
			apply(&o->rset, &o->rclr, opt_table[j].kind, opt_table[j].attr);
			continue;
		}
		size_t n = strlen(opt);
		if (dl + n + 2 > sizeof o->data) {
			errno = E2BIG;
			return -1;
		}
		if (dl)
			o->data[dl++] = ',';
		memcpy(o->data + dl, opt, n + 1);
		dl += n;
	}
	return 0;
}

int mnt_setattr(int fd, bool recursive, uint64_t set, uint64_t clr, uint64_t prop)
{
	struct mount_attr a = { .attr_set = set, .attr_clr = clr, .propagation = prop };
	return mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof a);
}

int mnt_attach(int tree, int target)
{
	return move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* The last message the kernel logged on the fs context ("e tmpfs: Bad value
 * for 'size'"), without its "e " and newline. */
static void fs_why(int fsfd, char *why, size_t len)
{
	char buf[256];
	ssize_t n;
	if (!why || !len)
		return;
	*why = 0;
	while ((n = read(fsfd, buf, sizeof buf - 1)) > 0) {
		buf[n] = 0;
		buf[strcspn(buf, "\n")] = 0;
		snprintf(why, len, "%s", n > 2 && buf[1] == ' ' ? buf + 2 : buf);
	}
}

int mnt_fs(const char *type, const char *source, const char *data, uint64_t attrs, char *why, size_t whylen)
{
	char buf[1024];
	int e, mfd = -1;
	if (why && whylen)
		*why = 0;
	int fsfd = fsopen(type, FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return -1;
	if (source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		goto fail;
	snprintf(buf, sizeof buf, "%s", data ? data : "");
	for (char *save = NULL, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		int r;
		if (eq) {
			*eq = 0;
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, kv, eq + 1, 0);
		} else {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, kv, NULL, 0);
		}
		if (r < 0)
			goto fail;
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned)attrs)) < 0)
		goto fail;
	close(fsfd);
	return mfd;
fail:
	e = errno;
	fs_why(fsfd, why, whylen);
	close(fsfd);
	errno = e;
	return -1;
}
