// A full disk and a broken record (issue 9 §5): writeFileAtomic leaves no temp file
// when a write fails; gc removes the temp files of writers that are gone, and one
// empty state.json does not make it abort.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeFileAtomic, writeJsonAtomic } from '../../src/engine/state/atomic.js';
import { sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

const temps = (dir: string) => fs.readdirSync(dir).filter((n) => /^\..+\.\d+\.tmp$/.test(n));

/** A pid that was just used and is gone. */
function deadPid(): number {
  const r = spawnSync('true');
  assert.ok(r.pid);
  return r.pid!;
}

test('writeFileAtomic on a full filesystem throws ENOSPC and leaves no temp file', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-enospc-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'hutch-enospc', dir], { encoding: 'utf8' });
  t.after(() => {
    spawnSync('umount', [dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  assert.equal(m.status, 0, m.stderr);
  const file = path.join(dir, 'state.json');
  writeJsonAtomic(file, { before: true });
  // Fill what is left.
  const fd = fs.openSync(path.join(dir, 'fill'), 'w');
  try {
    for (;;) fs.writeSync(fd, Buffer.alloc(4096));
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
  for (let i = 0; i < 16; i++) {
    assert.throws(() => writeJsonAtomic(file, { after: 'x'.repeat(64 * 1024) }), { code: 'ENOSPC' });
    assert.throws(() => writeFileAtomic(file, Buffer.alloc(8192)), { code: 'ENOSPC' });
  }
  assert.deepEqual(temps(dir), []);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { before: true }, 'the old file is whole');
});

test('writeFileAtomic removes its temp file when the rename fails', () => {
  const target = path.join(sb.root, 'a-dir');
  fs.mkdirSync(path.join(target, 'inside'), { recursive: true });
  assert.throws(() => writeFileAtomic(target, 'x'), (e: NodeJS.ErrnoException) => ['EISDIR', 'ENOTEMPTY', 'EEXIST'].includes(e.code!));
  assert.deepEqual(temps(sb.root), []);
  fs.rmSync(target, { recursive: true });
});

test('gc removes temp files of dead writers (only), and a broken state.json does not stop it', async () => {
  const live = await sb.engine.create({ image: 'host', cmd: ['true'] });
  const broken = await sb.engine.create({ image: 'host', cmd: ['true'] });
  // An exited --rm container nobody has removed yet (its starter is gone): gc's job.
  const r = sb.cli(['run', '-d', '--rm', 'host', 'true']);
  assert.equal(r.status, 0, r.stderr);
  const rm = await sb.engine.inspect(r.stdout.trim());
  for (let i = 0; (await sb.engine.inspect(rm.id)).status !== 'exited'; i++) {
    assert.ok(i < 200, 'the --rm container exits');
    await new Promise((res) => setTimeout(res, 25));
  }
  const dead = deadPid();
  const stale = [
    path.join(live.bundle, `.state.json.${dead}.tmp`),
    path.join(broken.bundle, `.state.json.${dead}.tmp`),
    path.join(sb.root, `.something.json.${dead}.tmp`),
  ];
  for (const f of stale) fs.writeFileSync(f, '{"half":');
  // A writer still alive (this process): its temp file may be a write under way.
  const busy = path.join(live.bundle, `.state.json.${process.pid}.tmp`);
  fs.writeFileSync(busy, '{');
  // Not writeFileAtomic's: a directory of that shape, a name without a pid.
  fs.mkdirSync(path.join(live.bundle, `.dir.${dead}.tmp`));
  fs.writeFileSync(path.join(live.bundle, '.nopid.tmp'), '');
  fs.writeFileSync(path.join(broken.bundle, 'state.json'), '');

  const g = sb.cli(['gc']);
  assert.equal(g.status, 0, g.stderr);
  assert.equal(g.stderr, '');
  const lines = g.stdout.split('\n').filter(Boolean);
  for (const f of stale) assert.ok(lines.includes(`temp file ${f}`), g.stdout);
  for (const f of stale) assert.equal(fs.existsSync(f), false, f);
  assert.ok(fs.existsSync(busy));
  assert.ok(fs.existsSync(path.join(live.bundle, `.dir.${dead}.tmp`)));
  assert.ok(fs.existsSync(path.join(live.bundle, '.nopid.tmp')));
  // The rest of gc's work still happens past the broken record.
  assert.ok(lines.includes(`exited --rm container ${rm.name}`), g.stdout);
  assert.equal(fs.existsSync(rm.bundle), false);
  assert.equal((await sb.engine.inspect(live.id)).status, 'created');
  // And through the engine in this process.
  fs.writeFileSync(stale[0], '{');
  assert.ok((await sb.engine.gc()).includes(`temp file ${stale[0]}`));
  fs.rmSync(busy);
  fs.rmSync(path.join(live.bundle, `.dir.${dead}.tmp`), { recursive: true });
  // The broken record: removed by hand here (rm -f of one is another change's).
  fs.rmSync(broken.bundle, { recursive: true, force: true });
  await sb.engine.remove(live.id, { force: true });
});
