// spawnMonitor: starts hutch-monitor with posix_spawn (vfork-style in glibc), which
// costs a fraction of libuv's fork of a large Node process, on the hot path of
// every container start. The monitor gets fds 0-2 as given and the write end of
// a fresh sync pipe as fd 3; the read end comes back to be wrapped in a
// net.Socket. The child is not a libuv child: reapPid() collects its status.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "addon.h"
#include "errors.h"

extern char** environ;

namespace hutch {

// spawnMonitor(path: string, argv: string[], stdio: [number, number, number]): [pid, syncFd]
// An fd of -1 means /dev/null.
static Napi::Value SpawnMonitor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  Napi::Array jsArgv = info[1].As<Napi::Array>();
  Napi::Array jsStdio = info[2].As<Napi::Array>();
  std::vector<std::string> args;
  for (uint32_t i = 0; i < jsArgv.Length(); i++) args.push_back(jsArgv.Get(i).As<Napi::String>());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  int sync[2];
  if (pipe2(sync, O_CLOEXEC) < 0) throw ErrnoError(env, errno, "pipe2");
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  for (int i = 0; i < 3; i++) {
    int fd = jsStdio.Get(i).As<Napi::Number>().Int32Value();
    if (fd < 0)
      posix_spawn_file_actions_addopen(&fa, i, "/dev/null", i == 0 ? O_RDONLY : O_WRONLY, 0);
    else  // with fd == i, glibc clears FD_CLOEXEC (Node marks its stdio close-on-exec)
      posix_spawn_file_actions_adddup2(&fa, fd, i);
  }
  posix_spawn_file_actions_adddup2(&fa, sync[1], 3);
  // Node ignores SIGPIPE and may block signals: the monitor starts clean.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  // A session of its own: the terminal's signals (Ctrl-C, SIGWINCH, hangup)
  // reach hutch alone, which forwards them once (a signal sent to the whole
  // foreground group would reach the container twice); and signals sent to
  // hutch's pid alone are forwarded the same way.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
  pid_t pid;
  int err = posix_spawn(&pid, path.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(sync[1]);
  if (err != 0) {
    close(sync[0]);
    throw ErrnoError(env, err, "posix_spawn", path.c_str());
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, pid));
  out.Set(1u, Napi::Number::New(env, sync[0]));
  return out;
}

// reapPid(pid: number, block: boolean): number | null — the exit status as a shell
// reports it (128+N for signal N), or null when it has not exited (non-blocking).
static Napi::Value ReapPid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pid_t pid = info[0].As<Napi::Number>().Int32Value();
  bool block = info[1].As<Napi::Boolean>();
  int status;
  pid_t r;
  do
    r = waitpid(pid, &status, block ? 0 : WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r < 0) throw ErrnoError(env, errno, "waitpid");
  if (r == 0) return env.Null();
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return Napi::Number::New(env, code);
}

// exitNow(code): _exit(2), skipping atexit handlers. Node 20's own handler resets
// the terminal it started on with tcsetattr and aborts the process when that fails
// with anything but EPERM (node::ResetStdio); after a hangup it fails with EIO, so a
// dashboard closing on SIGHUP died of SIGABRT. There is no terminal left to reset.
static Napi::Value ExitNow(const Napi::CallbackInfo& info) {
  _exit(info[0].As<Napi::Number>().Int32Value());
}

// terminalHungUp(): true when one of fds 0-2 is a terminal that has hung up, which
// tcsetattr of its own settings tells (EIO); the probe changes nothing.
static Napi::Value TerminalHungUp(const Napi::CallbackInfo& info) {
  for (int fd = 0; fd <= 2; fd++) {
    struct termios t;
    if (!isatty(fd)) continue;
    if (tcgetattr(fd, &t) < 0 || tcsetattr(fd, TCSANOW, &t) < 0)
      if (errno == EIO || errno == ENXIO) return Napi::Boolean::New(info.Env(), true);
  }
  return Napi::Boolean::New(info.Env(), false);
}

void InitSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("terminalHungUp", Napi::Function::New(env, TerminalHungUp, "terminalHungUp"));
  exports.Set("exitNow", Napi::Function::New(env, ExitNow, "exitNow"));
  exports.Set("spawnMonitor", Napi::Function::New(env, SpawnMonitor, "spawnMonitor"));
  exports.Set("reapPid", Napi::Function::New(env, ReapPid, "reapPid"));
}

}  // namespace hutch
