/* hutch-runc: a runc-compatible OCI runtime (runc's command line, flags,
 * state JSON and error lines), built from the monitor's container init. No
 * process of ours stays behind: `create` clones the init, which parks on
 * <root>/<id>/exec.fifo until `start` opens it, and exits; the init is then the
 * caller's (containerd's shim and conmon are subreapers). See PROTOCOL.md,
 * "hutch-runc". */
#ifndef HUTCH_RUNC_H
#define HUTCH_RUNC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define RUNC_VERSION "0.1.0"
#define RUNC_OCI_VERSION "1.0.2-dev"
#define RUNC_MAX_CGROUPS 16

/* The global flags. */
struct runc_global {
	const char *root; /* state directory, default /run/hutch-runc */
	const char *log;  /* --log FILE, or NULL (stderr) */
	bool log_json;    /* --log-format json */
	bool debug;
	bool systemd_cgroup; /* accepted; cgroupsPath is still treated as a cgroupfs path */
};

extern struct runc_global g;

/* runc's error line (`time=… level=error msg=…`, or the JSON form in --log)
 * and exit status 1. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
/* The same line without exiting (a warning on delete, say). */
__attribute__((format(printf, 2, 3))) void log_line(const char *level, const char *fmt, ...);

/* What <root>/<id>/state.json holds. */
struct rstate {
	char id[256];
	char bundle[4096], rootfs[4096];
	char created[64];          /* RFC 3339 with nanoseconds */
	pid_t pid;
	unsigned long long start;  /* the init's start time (/proc/PID/stat field 22): a reused pid is not ours */
	char *annotations;         /* the config's annotations object as JSON text ("" when none), malloc'd */
	char *cgroups[RUNC_MAX_CGROUPS]; /* the directories made at create */
	size_t ncgroups;
	bool own_pidns;            /* a new pid namespace: killing the init kills everything */
};

/* State directory <root>/<id> into buf. die()s on an id runc would refuse. */
void state_dir(const char *id, char *buf, size_t len);
/* Reads the state; die("container does not exist") when there is none. */
void state_read(const char *id, struct rstate *st);
/* Writes it atomically. 0 or -1 (errno). */
int state_write(const struct rstate *st);
/* "created", "running", "paused" or "stopped", from the init's pid, the
 * fifo and the freezer. */
const char *state_status(const struct rstate *st);
/* True while the init (that pid, that start time) lives and is no zombie. */
bool state_alive(const struct rstate *st);
/* The init's start time, or 0 when it is gone. */
unsigned long long proc_start_time(pid_t pid);
/* runc's state JSON (indented like `runc state`, or one line for list --format json). */
void state_print_json(int fd, const struct rstate *st, bool indent, const char *owner);
/* Writes the string as a JSON string literal into fd. */
void json_put_str(int fd, const char *s);
/* The config's annotations object as JSON text ("" when none), malloc'd. */
struct jv;
char *annotations_json(const struct jv *root);
/* RFC 3339 UTC with nanoseconds. */
void now_rfc3339(char *buf, size_t len);

/* cgroups (rcgroup.c). */
struct jv;
/* Makes the container's directories (every v1 hierarchy, and v2) for
 * linux.cgroupsPath (without one, runc's default: the id, under our own
 * cgroup) and applies linux.resources, devices included (v1 devices.allow,
 * v2 the eBPF program). Fills st->cgroups. -1 with a message in err. */
int cg_create(const char *id, const struct jv *lx, struct rstate *st, char *err, size_t errlen);
/* Removes what cg_create made (best effort, retrying on EBUSY briefly). */
void cg_remove(const struct rstate *st);
/* The pids in the container's cgroup (malloc'd, *n set). */
pid_t *cg_pids(const struct rstate *st, size_t *n);
/* Freezes (true) or thaws; -1 with errno. */
int cg_freeze(const struct rstate *st, bool freeze);
/* True when frozen. */
bool cg_frozen(const struct rstate *st);

/* Small pieces shared by rcgroup.c and rdevices.c: DIR/FILE written (0 or
 * -1 with errno), present, a v2 directory; a number or non-empty string
 * member of a JSON object (false/NULL when absent or of another type). */
int cg_write(const char *dir, const char *file, const char *val);
/* DIR/FILE's first line into buf. 0 or -1. */
int cg_read(const char *dir, const char *file, char *buf, size_t len);
bool cg_has(const char *dir, const char *file);
bool cg_is_v2(const char *dir);
bool jnum(const struct jv *obj, const char *key, long long *out);
const char *jstr(const struct jv *obj, const char *key);
/* memory, cpu and pids of a LinuxResources object written to the
 * container's cgroups (create, update). -1 with a message in err. */
int cg_resources(const struct rstate *st, const struct jv *res, char *err, size_t errlen);
/* linux.resources.devices and the defaults (rdevices.c). */
int cg_devices(const struct rstate *st, const struct jv *lx, char *err, size_t errlen);

/* v2 device filter (devbpf.c): rules "c 1:3 rwm" as in devices.allow, with
 * allow flags; attached to dir. -1 (errno). */
struct dev_rule {
	char type;            /* 'a', 'c', 'b' */
	long major, minor;    /* -1: any */
	int access;           /* 1 r, 2 w, 4 m */
	bool allow;
};
int devbpf_attach(const char *dir, const struct dev_rule *rules, size_t n);

/* templates.c */
extern const char spec_default[], spec_rootless[], features_json[];

/* Commands. */
int cmd_create(int argc, char **argv, bool run);
int cmd_start(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_pause(int argc, char **argv, bool pause);
int cmd_features(int argc, char **argv);
int cmd_spec(int argc, char **argv);

/* start's core, shared by run: opens the fifo, lets the init exec, removes
 * the fifo, runs the poststart hooks. -1 when the init was gone (the error
 * line is written). */
int start_container(const struct rstate *st);
/* Signal number from "KILL", "SIGKILL" or "9"; -1 when unknown. */
int signal_from_name(const char *s);
/* Kills the init (and with all every process of the cgroup). */
int kill_container(const struct rstate *st, int sig, bool all);
/* delete's core: kill if needed, wait, remove cgroups and state. */
void destroy_container(const struct rstate *st);

/* rfiles.c, shared by create and exec: a connection to a console socket (made before
 * exec enters the container's mount namespace, where the path is gone), the
 * pty master sent on it (runc's recvtty dialect: SCM_RIGHTS, the data a
 * name); the pid file at path under dirfd (the pid, no newline, as runc).
 * An fd, or 0; -1 with errno. */
int console_connect(const char *sock);
int console_send(int fd, int master);
int write_pid_file(int dirfd, const char *path, pid_t pid);
/* mkdir -p, the last component with mode (containerd's --root
 * /run/containerd/runc/<namespace> may not exist yet). 0 or -1. */
int mkdir_p(const char *path, mode_t mode);
int runc_exec(int argc, char **argv);
int cmd_update(int argc, char **argv);
/* hooks.c: config.json of a bundle parsed into a (NULL when unreadable);
 * whether hooks.<kind> has entries; running them in order with the state
 * JSON (status given) on stdin, -1 with a message in err at the first that
 * fails or outlives its timeout. */
struct arena;
const struct jv *config_json(struct arena *a, const char *bundle);
bool hooks_present(const struct jv *root, const char *kind);
int hooks_run(const struct jv *root, const char *kind, const struct rstate *st, const char *status, char *err, size_t errlen);
int hooks_run_text(const struct jv *root, const char *kind, const char *state, size_t len, char *err, size_t errlen);
char *hooks_state_text(const struct rstate *st, const char *status, size_t *len);
/* In the init (init_args.container_hooks): createContainer, startContainer. */
struct spec;
void container_hooks(const struct spec *s, const char *kind, const char *state);

/* console.c: attached run's side of the container's terminal; the init's status. */
int console_run(pid_t pid, int pidfd, int master);

/* wait.c: an attached run's or exec's wait for its process, signals forwarded.
 * signalfd_all blocks every signal but SIGKILL and SIGSTOP and returns a
 * signalfd for them (flags: SFD_NONBLOCK or 0); signal_forward sends one to
 * the process, by its pidfd, or by pid when pidfd is -1; reap reaps what has
 * exited, true when pid was among them (its exit_code, util.h, in *code), others:
 * any child (run is a subreaper: a container without a pid namespace leaves
 * its orphans to us), else pid alone. wait_forwarding: all of it, until pid
 * exits; its exit_code. */
int signalfd_all(int flags);
void signal_forward(pid_t pid, int pidfd, int sig);
bool reap(pid_t pid, bool others, int *code);
int wait_forwarding(pid_t pid, int pidfd, bool others);

/* sealed.c: re-exec from a sealed memfd copy unless this is one
 * (CVE-2019-5736); returns only when it is. */
void reexec_sealed(char **argv);

/* Option helpers (main.c): "--name V", "--name=V", "-n V". */
const char *opt_val(int argc, char **argv, int *i, const char *lng, const char *shrt);
bool opt_flag(const char *arg, const char *lng, const char *shrt);

#endif
