// What `ps` says is what is true (issue 9 §5, §7): a full disk under the state root
// loses no exit status and blocks neither `ps` nor `rm -f`; a state.json that cannot
// be read is listed as Unknown with one warning line, and `rm -f` and `gc` remove it
// with what still runs of it; `exec` failures are one `hutch:` line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { sandbox, cgroupParentDirs, HUTCH, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

function oneLine(stderr: string, re: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${stderr}`);
  assert.match(lines[0], re);
}

function pidGone(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a full disk under the state root: the exit status is kept, ps lists it, rm -f frees the space, no temp file is left', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-full-'));
  const parent = `hutch-test-${randomBytes(4).toString('hex')}`;
  const env = { ...process.env, HUTCH_ROOT: root, HUTCH_CGROUP_PARENT: parent };
  const cli = (args: string[]) => spawnSync(process.execPath, [HUTCH, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'hutch-test-full', root]).status, 0, 'mount a small tmpfs');
  try {
    // The container's writable layer lives under the root: it fills the disk, then exits 7.
    const run = cli(['run', '--name', 'filler', 'host', 'sh', '-c', 'dd if=/dev/zero of=/fill bs=64k 2>/dev/null; df / | tail -1; exit 7']);
    assert.equal(run.status, 7, `the command's status, not 125: ${run.stderr}`);
    assert.match(run.stdout, /100%/, 'the disk was full');
    const ps = cli(['ps', '-a']);
    assert.equal(ps.status, 0, ps.stderr);
    assert.match(ps.stdout, /Exited \(7\).*filler/);
    const temps = spawnSync('find', [root, '-name', '*.tmp*'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(temps, '', 'no temp file left behind');
    const rm = cli(['rm', '-f', 'filler']);
    assert.equal(rm.status, 0, rm.stderr);
    assert.equal(cli(['ps', '-aq']).stdout, '');
    // --rm on a full disk: status kept, container removed.
    const rmRun = cli(['run', '--rm', 'host', 'sh', '-c', 'dd if=/dev/zero of=/fill bs=64k 2>/dev/null; exit 9']);
    assert.equal(rmRun.status, 9, rmRun.stderr);
    assert.equal(cli(['ps', '-aq']).stdout, '');
  } finally {
    for (const c of cli(['ps', '-aq']).stdout.split('\n').filter(Boolean)) cli(['rm', '-f', c]);
    spawnSync('umount', [root]);
    fs.rmSync(root, { recursive: true, force: true });
    for (const d of cgroupParentDirs(parent)) fs.rmdirSync(d);
  }
});

test('a truncated state.json: ps -a lists it as Unknown with one warning; rm refuses while it runs, rm -f stops and removes it, the name is free again', async () => {
  const run = sb.cli(['run', '-d', '--name', 'torn', 'host', 'sleep', '1000']);
  assert.equal(run.status, 0, run.stderr);
  const id = run.stdout.trim();
  const pid = (await sb.engine.inspect(id)).pid;
  const state = path.join(sb.root, 'containers', id, 'state.json');
  fs.writeFileSync(state, fs.readFileSync(state, 'utf8').slice(0, 100));

  const ps = sb.cli(['ps', '-a']);
  assert.equal(ps.status, 0);
  assert.match(ps.stdout, new RegExp(`${id.slice(0, 12)} .*Unknown +torn`));
  oneLine(ps.stderr, new RegExp(`^hutch: warning: container ${id.slice(0, 12)}: state.json: .*hutch rm -f`));
  assert.match(sb.cli(['ps']).stdout, /torn/, 'its monitor is alive: listed without -a too');

  const inspect = sb.cli(['inspect', 'torn']);
  oneLine(inspect.stderr, /^hutch: container [0-9a-f]{12}: its state \(state\.json\) cannot be read/);
  const rm = sb.cli(['rm', 'torn']);
  assert.equal(rm.status, 1);
  oneLine(rm.stderr, /container is running/);
  assert.ok(!pidGone(pid), 'still running after a refused rm');

  const rmf = sb.cli(['rm', '-f', 'torn']);
  assert.equal(rmf.status, 0, rmf.stderr);
  assert.equal(rmf.stdout, 'torn\n');
  await until('the container process to end', () => pidGone(pid));
  assert.ok(!fs.existsSync(path.join(sb.root, 'containers', id)));
  const again = sb.cli(['run', '-d', '--name', 'torn', 'host', 'true']);
  assert.equal(again.status, 0, `the name is free again: ${again.stderr}`);
  sb.cli(['rm', '-f', 'torn']);
});

test('an empty state.json: gc does not abort; it stops and removes that container, and says so', async () => {
  const run = sb.cli(['run', '-d', '--name', 'hollow', 'host', 'sleep', '1000']);
  assert.equal(run.status, 0, run.stderr);
  const id = run.stdout.trim();
  const pid = (await sb.engine.inspect(id)).pid;
  fs.writeFileSync(path.join(sb.root, 'containers', id, 'state.json'), '');
  const gc = sb.cli(['gc']);
  assert.equal(gc.status, 0, gc.stderr);
  assert.match(gc.stdout, new RegExp(`unreadable container ${id.slice(0, 12)}`));
  await until('the container process to end', () => pidGone(pid));
  assert.ok(!fs.existsSync(path.join(sb.root, 'containers', id)));
  assert.ok(!fs.existsSync(path.join(sb.root, 'names', 'hollow')));
});

test('exec failures are one hutch: line with docker exit codes', async () => {
  const run = sb.cli(['run', '-d', '--name', 'target', 'host', 'sleep', '1000']);
  assert.equal(run.status, 0, run.stderr);
  try {
    const rel = sb.cli(['exec', '-w', 'relative', 'target', 'true']);
    assert.equal(rel.status, 125);
    oneLine(rel.stderr, /^hutch: the working directory 'relative' is invalid, it needs to be an absolute path$/);
    const nodir = sb.cli(['exec', '-w', '/no/such/dir', 'target', 'true']);
    assert.equal(nodir.status, 126);
    oneLine(nodir.stderr, /^hutch: exec: working directory "\/no\/such\/dir" does not exist in the container$/);
    const nocmd = sb.cli(['exec', 'target', 'no-such-command-xyz']);
    assert.equal(nocmd.status, 127);
    oneLine(nocmd.stderr, /^hutch: exec: "no-such-command-xyz": executable file not found in \$PATH$/);
    const noexec = sb.cli(['exec', 'target', '/etc/passwd']);
    assert.equal(noexec.status, 126);
    oneLine(noexec.stderr, /^hutch: exec: "\/etc\/passwd": permission denied$/);
    for (const r of [rel, nodir, nocmd, noexec]) assert.doesNotMatch(r.stderr, /hutch-monitor|usage/);
  } finally {
    sb.cli(['rm', '-f', 'target']);
  }
});
