/* See proc.h. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "cgroup.h"
#include "report.h"
#include "seccomp.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void set_user(const struct spec *s)
{
	/* Keep the permitted set across the uid change; capset() below then sets
	 * exactly what the config asks. */
	if (s->has_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		child_failf("capabilities", errno, "PR_SET_KEEPCAPS");
	if (setgroups(s->ngids, s->gids) < 0) {
		int e = errno;
		char list[200] = "";
		size_t n = 0;
		for (size_t i = 0; i < s->ngids && n < sizeof list; i++)
			n += (size_t)snprintf(list + n, sizeof list - n, "%s%u", i ? "," : "", (unsigned)s->gids[i]);
		child_failf("setgroups", e, "%s", list);
	}
	if (setresgid(s->gid, s->gid, s->gid) < 0)
		child_failf("setgid", errno, "%u", (unsigned)s->gid);
	if (setresuid(s->uid, s->uid, s->uid) < 0)
		child_failf("setuid", errno, "%u", (unsigned)s->uid);
}

static void load_seccomp(const struct spec *s)
{
	if (seccomp_apply(s) < 0) {
		const char *file = strchr(s->seccomp, '/');
		child_failf("seccomp", errno, "%s", file ? file : s->seccomp);
	}
}

/* process.env with the --env entries replacing same-named ones. */
static char **build_env(const struct spec *s, const struct proc_opts *o)
{
	size_t n = 0;
	while (s->env[n])
		n++;
	char **env = malloc((n + o->nenv + 1) * sizeof *env);
	if (!env)
		child_fail("env", ENOMEM);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		size_t kl = strcspn(s->env[i], "=");
		bool over = false;
		for (size_t j = 0; j < o->nenv && !over; j++)
			over = strncmp(o->env[j], s->env[i], kl) == 0 && (o->env[j][kl] == '=' || !o->env[j][kl]);
		if (!over)
			env[k++] = s->env[i];
	}
	for (size_t j = 0; j < o->nenv; j++)
		if (strchr(o->env[j], '='))
			env[k++] = o->env[j];
	env[k] = NULL;
	return env;
}

static const char *env_path(char **env)
{
	for (; *env; env++)
		if (strncmp(*env, "PATH=", 5) == 0)
			return *env + 5;
	return DEFAULT_PATH;
}

/* execvpe() semantics without its /bin/sh fallback for ENOEXEC (runc and crun
 * don't have it either): try each PATH entry; EACCES is remembered and the
 * search goes on; the error is EACCES if some candidate was not executable,
 * else ENOENT. */
__attribute__((noreturn)) static void exec_path(char *const *argv, char **env)
{
	const char *file = argv[0];
	if (!*file)
		child_fail("exec", ENOENT);
	if (strchr(file, '/')) {
		execve(file, argv, env);
		child_failf("exec", errno, "%s", file);
	}
	const char *path = env_path(env);
	size_t flen = strlen(file);
	bool eacces = false;
	char buf[PATH_MAX];
	for (const char *p = path;; p++) {
		const char *end = strchr(p, ':');
		size_t dlen = end ? (size_t)(end - p) : strlen(p);
		if (dlen + flen + 2 <= sizeof buf) {
			size_t n = 0;
			if (dlen) { /* an empty entry is the current directory */
				memcpy(buf, p, dlen);
				buf[dlen] = '/';
				n = dlen + 1;
			}
			memcpy(buf + n, file, flen + 1);
			execve(buf, argv, env);
			switch (errno) {
			case EACCES:
				eacces = true;
				break;
			case ENOENT: case ENOTDIR: case ELOOP: case ENAMETOOLONG: case ESTALE: case ENODEV: case ETIMEDOUT:
				break;
			default:
				child_failf("exec", errno, "%s", buf);
			}
		}
		if (!end)
			break;
		p = end;
	}
	child_failf("exec", eacces ? EACCES : ENOENT, "%s", file);
}

/* The AppArmor profile the next execve runs under (runc's ApplyProfile): the
 * container's /proc is mounted by now, and /proc/thread-self is this thread's
 * own. Kernels before 5.8 have only attr/exec. */
static void apparmor_on_exec(const char *profile)
{
	char buf[300];
	int n = snprintf(buf, sizeof buf, "exec %s", profile);
	if (n < 0 || (size_t)n >= sizeof buf)
		child_failf("apparmor", ENAMETOOLONG, "%s", profile);
	int fd = open("/proc/thread-self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		fd = open("/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		child_failf("apparmor", errno, "%s", profile);
	close(fd);
}

void proc_exec(const struct spec *s, const struct proc_opts *o)
{
	/* Before capabilities go: a confined or capability-less task may not pick
	 * its next profile. */
	if (s->apparmor && *s->apparmor)
		apparmor_on_exec(s->apparmor);
	for (size_t i = 0; i < s->nrlimits; i++) {
		struct rlimit rl = { .rlim_cur = s->rlimits[i].soft, .rlim_max = s->rlimits[i].hard };
		if (setrlimit(s->rlimits[i].resource, &rl) < 0)
			child_failf("rlimits", errno, "%s (soft %llu, hard %llu)", s->rlimits[i].name,
				    (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	}
	/* Loading a filter without no_new_privs needs CAP_SYS_ADMIN: a process that
	 * will not keep it loads the filter now, before the capabilities go (runc's
	 * rule); everything from here to execve must then pass the filter. Else it
	 * is the very last step, so our own syscalls never have to. */
	bool keeps_admin = s->has_caps ? (s->caps.effective >> CAP_SYS_ADMIN) & 1 : s->uid == 0;
	bool seccomp_early = !s->no_new_privs && !keeps_admin;
	if (seccomp_early)
		load_seccomp(s);
	if (s->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail("no_new_privs", errno);
	if (s->has_caps && caps_drop_bounding(s->caps.bounding) < 0)
		child_failf("capabilities", errno, "bounding set");
	set_user(s);
	if (s->has_caps && caps_apply(&s->caps) < 0)
		child_failf("capabilities", errno, "effective, permitted, inheritable, ambient");
	umask(s->has_umask ? s->umask : 022);
	char **env = build_env(s, o);

	/* The cwd must be inside the container: a cwd of /proc/self/fd/N through an
	 * fd leaked from the host would leave it outside, and getcwd() then does
	 * not return an absolute path (CVE-2024-21626). */
	const char *cwd = o->cwd ? o->cwd : s->cwd;
	char buf[PATH_MAX];
	if (chdir(cwd) < 0)
		child_failf("chdir", errno, "%s", cwd);
	if (!getcwd(buf, sizeof buf))
		child_failf("getcwd", errno, "%s", cwd);
	if (buf[0] != '/')
		child_failf("getcwd", EPERM, "%s (outside the container)", cwd);

	/* The monitor ignores SIGPIPE and blocks the signals it reads through a
	 * signalfd; neither may leak into the container's command. */
	sigset_t all;
	sigemptyset(&all);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (!o->keep_pdeathsig)
		prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);

	/* Every fd but 0-2 closes at execve, including any inherited from the
	 * engine (CVE-2024-21626); the report socket stays open until then, so an
	 * execve failure can still be reported. */
	if (close_range(3 + o->keep_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		child_fail("close_range", errno);
	if (!seccomp_early)
		load_seccomp(s);
	exec_path(o->argv ? o->argv : s->args, env);
}

void proc_child_start(const struct cgroup_set *cg, int report)
{
	report_fd = report;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	const char *badcg;
	if (cgroup_set_join(cg, &badcg) < 0)
		child_failf("cgroup", errno, "%s", badcg);
	if (setsid() < 0)
		child_fail("setsid", errno);
}
