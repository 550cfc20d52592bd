/* OCI hooks. In the runtime's namespaces, by hutch-runc: prestart and
 * createRuntime (create, while the init waits before pivot_root with its
 * mounts made: init.h), poststart (start, once the init was let go) and
 * poststop (delete; a failure there is only a warning). In the container's, by
 * the init (container_hooks): createContainer at that same point, and
 * startContainer before execve. Each gets the container's state JSON on
 * stdin, its args (args[0] is argv[0]) and env, and is killed at its timeout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../monitor/json.h"
#include "../monitor/report.h"
#include "../monitor/spec.h"
#include "../monitor/util.h"
#include "runc.h"

const struct jv *config_json(struct arena *a, const char *bundle)
{
	char p[4200];
	snprintf(p, sizeof p, "%s/config.json", bundle);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	off_t n = lseek(fd, 0, SEEK_END);
	char *buf = n > 0 && arena_init(a, 64 * (size_t)n + 65536) == 0 ? arena_alloc(a, (size_t)n + 1) : NULL;
	const struct jv *root = NULL;
	const char *perr;
	if (buf && pread(fd, buf, (size_t)n, 0) == n)
		root = json_parse(a, buf, (size_t)n, &perr);
	close(fd);
	return root;
}

bool hooks_present(const struct jv *root, const char *kind)
{
	const struct jv *h = json_get(json_get(root, "hooks"), kind);
	return h && h->type == J_ARR && h->len;
}

/* The state a hook reads: runc's fields with the given status. */
static char *state_text(const struct rstate *st, const char *status, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	fprintf(f, "{\"ociVersion\":\"%s\",\"id\":\"%s\",\"status\":\"%s\"", RUNC_OCI_VERSION, st->id, status);
	/* no pid once stopped, as runc */
	if (strcmp(status, "stopped") != 0)
		fprintf(f, ",\"pid\":%d", (int)st->pid);
	fprintf(f, ",\"bundle\":\"%s\"", st->bundle);
	if (st->annotations && *st->annotations)
		fprintf(f, ",\"annotations\":%s", st->annotations);
	fputc('}', f);
	fclose(f);
	return buf;
}

static char **strv(const struct jv *arr, const char *first)
{
	size_t n = arr && arr->type == J_ARR ? arr->len : 0;
	char **v = calloc(n + 2, sizeof *v);
	size_t k = 0;
	if (!v)
		return NULL;
	for (const struct jv *e = n ? arr->child : NULL; e; e = e->next)
		if (e->type == J_STR)
			v[k++] = (char *)e->str;
	if (!k && first)
		v[k++] = (char *)first;
	return v;
}

int hooks_run(const struct jv *root, const char *kind, const struct rstate *st, const char *status, char *err, size_t el)
{
	size_t len;
	char *state = state_text(st, status, &len);
	int r = hooks_run_text(root, kind, state, len, err, el);
	free(state);
	return r;
}

char *hooks_state_text(const struct rstate *st, const char *status, size_t *len)
{
	return state_text(st, status, len);
}

void container_hooks(const struct spec *s, const char *kind, const char *state)
{
	char err[256];
	if (hooks_run_text(s->json, kind, state, strlen(state), err, sizeof err) < 0)
		child_failf("hooks", EIO, "%s", err);
}

int hooks_run_text(const struct jv *root, const char *kind, const char *state, size_t len, char *err, size_t el)
{
	const struct jv *list = json_get(json_get(root, "hooks"), kind);
	if (!list || list->type != J_ARR)
		return 0;
	int i = 0;
	for (const struct jv *h = list->child; h; h = h->next, i++) {
		const char *path = jstr(h, "path");
		long long timeout = 0;
		jnum(h, "timeout", &timeout);
		if (!path || path[0] != '/') {
			snprintf(err, el, "%s hook #%d: path must be absolute", kind, i);
			return -1;
		}
		char **argv = strv(json_get(h, "args"), path), **envp = strv(json_get(h, "env"), NULL);
		int in[2];
		if (!argv || !envp || pipe2(in, O_CLOEXEC) < 0) {
			snprintf(err, el, "%s hook #%d: %s", kind, i, strerror(errno ? errno : ENOMEM));
			return -1;
		}
		pid_t pid = fork();
		if (pid == 0) {
			/* out of the container's stdio, which create's caller gave */
			int null = open("/dev/null", O_WRONLY);
			dup2(in[0], 0);
			dup2(null, 1);
			dup2(null, 2);
			sigset_t none;
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			execve(path, argv, envp);
			_exit(127);
		}
		close(in[0]);
		/* a hook that exits without reading the state: EPIPE, not SIGPIPE */
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);
		if (pid > 0 && state)
			write_all(in[1], state, len);
		signal(SIGPIPE, old);
		close(in[1]);
		free(argv);
		free(envp);
		int wst = 0, pidfd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
		if (pid > 0 && pidfd >= 0 && timeout > 0) {
			struct pollfd p = { pidfd, POLLIN, 0 };
			if (poll(&p, 1, (int)(timeout * 1000)) == 0)
				kill(pid, SIGKILL);
		}
		if (pidfd >= 0)
			close(pidfd);
		while (pid > 0 && waitpid(pid, &wst, 0) < 0 && errno == EINTR)
			;
		if (pid < 0 || !WIFEXITED(wst) || WEXITSTATUS(wst) != 0) {
			if (pid < 0)
				snprintf(err, el, "error running %s hook #%d: fork: %s", kind, i, strerror(errno));
			else if (WIFSIGNALED(wst))
				snprintf(err, el, "error running %s hook #%d: %s (timeout %llds)", kind, i,
					 WTERMSIG(wst) == SIGKILL && timeout > 0 ? "killed at its timeout" : "killed by a signal", timeout);
			else
				snprintf(err, el, "error running %s hook #%d: exit status %d", kind, i, WEXITSTATUS(wst));
			return -1;
		}
	}
	return 0;
}
