// The monitor's `error <step> <ERRNAME> <errno> <detail…>` line (native/PROTOCOL.md)
// and the one-line message the engine makes of it, as crun says it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseErrorLine, setupError } from '../../src/engine/container/monitor.js';
import { CommandError, Conflict, SystemError } from '../../src/engine/errors.js';

const message = (line: string, command = 'cmd') => setupError(parseErrorLine(line), command).message;

test('the detail is the rest of the line, spaces and all; absent from an older monitor', () => {
  assert.deepEqual(parseErrorLine('error mount ENOENT 2 /data (bind from /srv/my dir)'), {
    step: 'mount',
    code: 'ENOENT',
    errno: 2,
    detail: '/data (bind from /srv/my dir)',
  });
  assert.deepEqual(parseErrorLine('error pivot_root EINVAL 22'), { step: 'pivot_root', code: 'EINVAL', errno: 22, detail: '' });
  assert.deepEqual(parseErrorLine('error'), { step: '?', code: 'EUNKNOWN', errno: NaN, detail: '' });
});

test('one line naming the step, its object, the errno and its words', () => {
  const cases: Array<[string, string]> = [
    ['error mount ENOENT 2 /data (bind from /srv/x)', 'container setup failed: mount /data (bind from /srv/x): ENOENT (No such file or directory)'],
    ['error mount EINVAL 22 /proc (proc)', 'container setup failed: mount /proc (proc): EINVAL (Invalid argument)'],
    ['error mount EPERM 1 /data (bind from /srv/x): remount', 'container setup failed: mount /data (bind from /srv/x): remount: EPERM (Operation not permitted)'],
    ['error maskedPaths EACCES 13 /etc/shadow', 'container setup failed: maskedPaths /etc/shadow: EACCES (Permission denied)'],
    ['error rlimits EINVAL 22 RLIMIT_NOFILE (soft 100, hard 10)', 'container setup failed: rlimits RLIMIT_NOFILE (soft 100, hard 10): EINVAL (Invalid argument)'],
    ['error setuid EPERM 1 1000', 'container setup failed: setuid 1000: EPERM (Operation not permitted)'],
    ['error config ENOMEM 12 mounts', 'container setup failed: config mounts: ENOMEM (Not enough memory)'],
    ['error chdir ENOTDIR 20 /etc/passwd', 'container setup failed: chdir /etc/passwd: ENOTDIR (Not a directory)'],
    ['error exec E2BIG 7 /bin/foo', 'container setup failed: exec /bin/foo: E2BIG (Argument list too long)'],
    ['error cgroup EIO 5 /sys/fs/cgroup/x', 'container setup failed: cgroup /sys/fs/cgroup/x: EIO (I/O error)'],
    // an older monitor: no detail
    ['error pivot_root EINVAL 22', 'container setup failed: pivot_root: EINVAL (Invalid argument)'],
    // an errno the engine has no words for
    ['error mount E? 4000 /x (tmpfs)', 'container setup failed: mount /x (tmpfs): E?'],
  ];
  for (const [line, want] of cases) assert.equal(message(line), want, line);
  const e = setupError(parseErrorLine('error mount ENOENT 2 /data (bind from /srv/x)'), 'cmd');
  assert.ok(e instanceof SystemError);
  assert.equal(e.exitCode, 125);
  assert.equal(e.code, 'ENOENT');
  assert.equal(e.errno, 2);
  assert.equal(e.syscall, 'mount');
});

test('the special cases keep their words and exit codes', () => {
  const notFound = setupError(parseErrorLine('error exec ENOENT 2 foo'), 'foo');
  assert.ok(notFound instanceof CommandError);
  assert.equal(notFound.exitCode, 127);
  assert.equal(notFound.message, 'exec: "foo": executable file not found in $PATH');
  const denied = setupError(parseErrorLine('error exec EACCES 13 /etc/passwd'), '/etc/passwd');
  assert.ok(denied instanceof CommandError);
  assert.equal(denied.exitCode, 126);
  assert.equal(denied.message, 'exec: "/etc/passwd": permission denied');
  assert.equal(message('error chdir ENOENT 2 /no/such'), 'working directory "/no/such" does not exist in the container');
  assert.equal(message('error chdir ENOENT 2'), 'working directory does not exist in the container');
  const busy = setupError(parseErrorLine('error exitfile EBUSY 16 /var/lib/hutch/containers/x/exit'), 'cmd');
  assert.ok(busy instanceof Conflict);
  assert.equal(busy.message, 'container is already running (its monitor holds it)');
});
