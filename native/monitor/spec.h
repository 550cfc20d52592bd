/* The subset of an OCI config.json that the monitor acts on (see PROTOCOL.md),
 * converted once into plain C values. Everything lives in the arena the spec
 * was loaded into and goes away with it. */
#ifndef HUTCH_SPEC_H
#define HUTCH_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arena.h"
#include "caps.h"

struct jv;

struct spec_mount {
	const char *destination;
	const char *type;   /* never NULL; "" when absent (then a bind is implied by options) */
	const char *source; /* may be NULL */
	const char **options;
	size_t noptions;
};

/* linux.devices[]: a node made in the container (speclinux.h). */
struct spec_device {
	const char *path; /* absolute, inside the container */
	char type;        /* 'c', 'b', 'u' (a char device), 'p' (a fifo) */
	unsigned major, minor;
	mode_t mode;      /* permission bits; 0666 when absent */
	uid_t uid;
	gid_t gid;
};

/* linux.sysctl: key "net.ipv4.ip_forward", value as written to /proc/sys. */
struct spec_sysctl {
	const char *key, *value;
};

struct spec_rlimit {
	int resource;
	uint64_t soft, hard;
	const char *name; /* "RLIMIT_NOFILE", for error messages */
};

struct spec {
	const char *root_path; /* absolute (made so against the bundle directory) */
	bool root_readonly;
	const char *hostname;  /* NULL when absent */
	const char *overlay;   /* annotation run.hutch.overlay, or NULL */
	const char *networks;  /* annotation run.hutch.networks (net.h), or NULL */
	const char *ports;     /* annotation run.hutch.ports, or NULL */
	const char *nft_table; /* annotation run.hutch.nft.table, or NULL ("hutch") */
	const char *dns;       /* annotation run.hutch.dns (dns.h), or NULL */
	const char *seccomp;   /* annotation run.hutch.seccomp (seccomp.h), or NULL */
	const char *on_exit;   /* annotation run.hutch.on-exit: argv lines of a command run after the exit is recorded, or NULL */
	const char *on_exit_if; /* annotation run.hutch.on-exit-if: the exit command runs only if this file exists, or NULL */
	const char *health;    /* annotation run.hutch.health (health.h), or NULL */
	const void *seccomp_prog; /* its program, read by seccomp_read(); NULL: no filter */
	unsigned short seccomp_len; /* instructions */
	unsigned seccomp_flags;    /* SECCOMP_FILTER_FLAG_* */

	struct spec_mount *mounts;
	size_t nmounts;

	bool terminal;
	char **args;           /* NULL-terminated */
	char **env;            /* NULL-terminated */
	const char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t *gids;
	size_t ngids;
	bool has_umask;
	mode_t umask;
	bool has_caps;         /* no process.capabilities: leave them as they are (runc) */
	struct capsets caps;
	struct spec_rlimit *rlimits;
	size_t nrlimits;
	bool no_new_privs;
	/* process.apparmorProfile: asked for at execve; NULL: none. */
	const char *apparmor;
	bool has_oom;
	int oom_score_adj;

	int ns_flags;          /* CLONE_NEW* for linux.namespaces */
	const char *netns_path; /* the network namespace to join instead of a new one, or NULL */
	/* Every linux.namespaces entry with a path (the network one too), when
	 * spec_join_ns_paths allows paths beyond the network's (hutch-runc). */
	struct spec_nspath {
		int flag;
		const char *path;
	} ns_paths[8];
	size_t nns_paths;
	/* linux.uidMappings / gidMappings as uid_map and gid_map take them
	 * ("0 100000000 65536\n" per entry); NULL when absent. Only with a
	 * "user" namespace (userns.h). */
	const char *uid_map, *gid_map;
	const char **masked;
	size_t nmasked;
	const char **readonly;
	size_t nreadonly;
	struct spec_device *devices;
	size_t ndevices;
	struct spec_sysctl *sysctls;
	size_t nsysctls;
	/* The whole parsed config.json (in the arena), for fields only hutch-runc
	 * reads (linux.resources, linux.cgroupsPath, annotations). */
	const struct jv *json;
};

/* Replaces s's process fields with those of proc, a process object as
 * config.json's (hutch-runc exec --process FILE). 0 or -1 (errno, *what). */
int spec_load_process(struct arena *a, const struct jv *proc, struct spec *s, const char **what);

/* False (the monitor): a namespace path other than the network's is refused.
 * hutch-runc sets it and joins them itself (setns before clone). */
extern bool spec_join_ns_paths;

/* Reads DIR/config.json into arena a (which it initialises) and fills s.
 * On failure returns -1 with errno set and *what pointing at a short reason. */
int spec_load(struct arena *a, const char *bundle, struct spec *s, const char **what);

#endif
