/* The verbs of hutch-monitor and their parsed command lines (PROTOCOL.md). */
#ifndef HUTCH_VERBS_H
#define HUTCH_VERBS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct run_opts {
	const char *bundle, *id, *log, *exit_file, *pid_file;
	char **cgroups;
	size_t ncgroups;
	int sync_fd; /* -1 when not given */
	bool attach, use_stdin, no_new_keyring;
	const char *detach_keys; /* --detach-keys HEX (attached with a tty); NULL: none */
};

struct exec_opts {
	pid_t pid;
	const char *bundle, *cwd;
	char **cgroups;
	size_t ncgroups;
	char **env;
	size_t nenv;
	char **argv;
	int sync_fd;  /* -1 when not given */
	int input_fd; /* -1 when not given: bytes to send the command first */
	bool tty, use_stdin, detach, no_new_keyring;
	/* exec -u: "UID:GID[:GID,GID...]" resolved by the engine; NULL: the container's user. */
	const char *user;
	/* exec --privileged: every capability the monitor has, no seccomp filter, no AppArmor profile. */
	bool privileged;
	/* --serve DIR (with --tty --detach): the pty on DIR/exec-<monitor pid>.sock (serve.h). */
	const char *serve;
};

/* net-attach (network: one interface of run.hutch.networks) and net-detach
 * (veth: the host end to delete). */
struct net_opts {
	pid_t pid;
	const char *network, *veth;
	int sync_fd; /* -1 when not given */
};

int cmd_run(const struct run_opts *o);
int cmd_exec(const struct exec_opts *o);
int cmd_net_attach(const struct net_opts *o);
int cmd_net_detach(const struct net_opts *o);

#endif
