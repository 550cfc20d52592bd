// The dashboard's hosts: `--host` (repeatable) after the config file's "hosts", each
// checked before anything opens — an empty or option-like name is one usage line
// (exit 125), a bad "hosts" setting one line naming the file and the setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dashboardOptions } from '../../src/cli/dashboard.js';
import { UsageError } from '../../src/cli/errors.js';
import { ConfigError, parseConfig } from '../../src/ui/config.js';
import { checkHostName, remoteCommand, shellQuote, sshArgv } from '../../src/engine/remote/ssh.js';
import { splitRemoteId, remoteId } from '../../src/engine/remote/convert.js';

test('hosts from the config file, then --host; each checked', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-remote-config-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'hutch'));
  fs.writeFileSync(path.join(dir, 'hutch', 'config.json'), JSON.stringify({ hosts: ['web-1'] }));
  const env = { XDG_CONFIG_HOME: dir };
  assert.deepEqual(dashboardOptions(['--host', 'admin@db-1', '--host=web-2'], env).config.hosts, ['web-1', 'admin@db-1', 'web-2']);
  assert.deepEqual(dashboardOptions([], { XDG_CONFIG_HOME: path.join(dir, 'none') }).config.hosts, []);
  for (const [bad, why] of [
    ['', 'a host name cannot be empty'],
    ['-oProxyCommand=x', '"-oProxyCommand=x" is not a host name (it starts with -)'],
    ['a b', '"a b" is not a host name (whitespace or a control character)'],
  ]) {
    assert.throws(() => dashboardOptions(['--host', bad], env), (e: unknown) => e instanceof UsageError && e.message === `invalid argument ${JSON.stringify(bad)} for "--host" flag: ${why}`);
  }
  assert.throws(() => parseConfig('/c.json', '{"hosts": "web-1"}'), (e: unknown) => e instanceof ConfigError && /^config \/c\.json: hosts: must be a list of ssh host names/.test(e.message));
  assert.throws(() => parseConfig('/c.json', '{"hosts": ["-x"]}'), ConfigError);
  assert.equal(checkHostName('web-1'), undefined);
});

test('the remote command line: words quoted for the remote shell, the host after --', () => {
  const cfg = { program: 'ssh', controlDir: '/run/x', remoteHutch: ['/opt/hutch/bin/hutch'], env: {} };
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(remoteCommand(cfg, ['exec', '-it', 'abc', 'sh', '-c', 'echo $HOME; exit']), "/opt/hutch/bin/hutch exec -it abc sh -c 'echo $HOME; exit'");
  const argv = sshArgv(cfg, 'web-1', ['stop', 'abc'], { tty: true });
  assert.equal(argv[0], '-t');
  assert.deepEqual(argv.slice(-3), ['--', 'web-1', '/opt/hutch/bin/hutch stop abc']);
  // A dashboard id of a remote container: its own id and its host (which may hold an @).
  assert.deepEqual(splitRemoteId(remoteId('abc', 'admin@db-1')), { id: 'abc', host: 'admin@db-1' });
  assert.equal(splitRemoteId('abc'), undefined);
});
