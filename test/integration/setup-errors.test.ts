// A container whose set-up fails says, in one line, which step failed on what, as
// crun does: `mount /data (bind from /no/such/src): ENOENT (…)`, not `mount: ENOENT`
// (one of ~15 mounts). The monitor's `error` line carries the detail
// (native/PROTOCOL.md); the special cases keep their words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${stderr}`);
  return lines[0];
}

/** A created container whose config.json `edit` changes before `hutch start`. */
async function startEdited(name: string, edit: (config: { mounts: unknown[]; process: Record<string, unknown> }) => void) {
  const c = await sb.engine.create({ image: 'host', cmd: ['true'], name });
  const file = path.join(sb.root, 'containers', c.id, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(config);
  fs.writeFileSync(file, JSON.stringify(config));
  return sb.cli(['start', name]);
}

test('a bind mount from a missing source names its destination and source', async () => {
  const r = await startEdited('bindmiss', (c) => {
    c.mounts.push({ destination: '/data', type: 'bind', source: '/no/such/src', options: ['rbind'] });
  });
  assert.notEqual(r.status, 0);
  assert.equal(oneLine(r.stderr), 'hutch: container setup failed: mount /data (bind from /no/such/src): ENOENT (No such file or directory)');
  assert.equal((await sb.engine.inspect('bindmiss')).status, 'created', 'nothing of it runs');
});

test('a control character in the detail cannot break the line', async () => {
  const r = await startEdited('newline', (c) => {
    c.mounts.push({ destination: '/data', type: 'bind', source: '/no/such\nerror exec ENOENT 2 x', options: ['rbind'] });
  });
  assert.equal(oneLine(r.stderr), 'hutch: container setup failed: mount /data (bind from /no/such?error exec ENOENT 2 x): ENOENT (No such file or directory)');
});

test('a config.json the monitor refuses names the field', async () => {
  const r = await startEdited('badconfig', (c) => {
    c.process.rlimits = [{ type: 'RLIMIT_FOO', soft: 1, hard: 1 }];
  });
  assert.equal(oneLine(r.stderr), 'hutch: container setup failed: config rlimits.type: EINVAL (Invalid argument)');
});

test('an rlimit the kernel refuses names the limit and its values', async () => {
  const r = await startEdited('badrlimit', (c) => {
    c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 100, hard: 10 }];
  });
  assert.notEqual(r.status, 0);
  assert.equal(oneLine(r.stderr), 'hutch: container setup failed: rlimits RLIMIT_NOFILE (soft 100, hard 10): EINVAL (Invalid argument)');
});

test('a working directory that is a file, or missing, is named', () => {
  const file = sb.cli(['run', '--rm', '-w', '/etc/passwd', 'host', 'true']);
  assert.equal(file.status, 125);
  assert.equal(oneLine(file.stderr), 'hutch: container setup failed: chdir /etc/passwd: ENOTDIR (Not a directory)');
  const missing = sb.cli(['run', '--rm', '-w', '/no/such/dir', '-u', '12345:12345', 'host', 'true']);
  assert.equal(missing.status, 125);
  assert.equal(oneLine(missing.stderr), 'hutch: working directory "/no/such/dir" does not exist in the container');
});

test('exec keeps its own words for a missing working directory and a missing command', () => {
  const run = sb.cli(['run', '-d', '--name', 'target', 'host', 'sleep', '60']);
  assert.equal(run.status, 0, run.stderr);
  const nodir = sb.cli(['exec', '-w', '/nope', 'target', 'true']);
  assert.equal(nodir.status, 126);
  assert.equal(oneLine(nodir.stderr), 'hutch: exec: working directory "/nope" does not exist in the container');
  const nocmd = sb.cli(['exec', 'target', 'no-such-command-xyz']);
  assert.equal(nocmd.status, 127);
  assert.equal(oneLine(nocmd.stderr), 'hutch: exec: "no-such-command-xyz": executable file not found in $PATH');
  const file = sb.cli(['exec', '-w', '/etc/passwd', 'target', 'true']);
  assert.equal(file.status, 126);
  assert.equal(oneLine(file.stderr), 'hutch: exec: working directory "/etc/passwd" does not exist in the container');
});
