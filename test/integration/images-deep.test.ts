// Trees deeper than PATH_MAX in the store. An entry path longer than 4095 bytes is
// refused at extraction, but symlinked parents still let a layer build a tree whose
// real paths are far longer: rmi, prune and gc must delete it anyway (fs.rmSync
// cannot: ENAMETOOLONG), and every error stays one short line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sandbox, type Sandbox } from './helpers.js';
import { file, symlink, tar } from '../support/tar-writer.js';

let sb: Sandbox;
let snapshots: string;

before(async () => {
  sb = await sandbox();
  snapshots = path.join(sb.root, 'images', 'snapshots');
});

after(async () => {
  await sb.cleanup();
});

const C = 'c'.repeat(200);
/** 15 components of 200 bytes: 3014 bytes, under PATH_MAX on its own. */
const LEVEL = Array(15).fill(C).join('/');

function importTar(name: string, entries: Parameters<typeof tar>[0]): Promise<unknown> {
  const f = path.join(sb.root, `${name}.tar`);
  fs.writeFileSync(f, tar(entries));
  return sb.engine.importImage(f, name);
}

/** Everything in snapshots/ (complete ones and leftovers). */
const inSnapshots = () => (fs.existsSync(snapshots) ? fs.readdirSync(snapshots) : []);

test('a tree 60 levels (12 KB of path) deep through symlinked parents: imported, then removed by rmi without a trace', async () => {
  await importTar('deep:1', [
    file(`${LEVEL}/a`, 'A'),
    symlink('s1', LEVEL),
    file(`s1/${LEVEL}/b`, 'B'),
    symlink('s2', `s1/${LEVEL}`),
    file(`s2/${LEVEL}/c`, 'C'),
    symlink('s3', `s2/${LEVEL}`),
    file(`s3/${LEVEL}/d`, 'D'),
  ]);
  const [snap] = inSnapshots();
  assert.match(snap, /^[0-9a-f]{64}$/);
  // The deepest file is really 60 directories down (read relative to its parent, as no path reaches it).
  const r = spawnSync('bash', ['-c', `cd "$1" && for i in $(seq 60); do cd ${C} || exit 1; done && cat d`, '_', path.join(snapshots, snap, 'fs')], { encoding: 'utf8' });
  assert.equal(r.stdout, 'D', r.stderr);

  const lines = await sb.engine.removeImage('deep:1');
  assert.equal(lines.length, 2);
  assert.match(lines[1], /^Deleted: sha256:/);
  assert.deepEqual(inSnapshots(), [], 'no snapshot and no .rm-* left');
  assert.deepEqual(await sb.engine.gc(), []);
});

test('an entry path of exactly 4095 bytes is taken; one byte more is one short line, and the store is unchanged', async () => {
  const at = `${Array(20).fill(C).join('/')}/${'f'.repeat(75)}`;
  assert.equal(at.length, 4095);
  await importTar('edge:1', [file(at, 'x')]);
  await assert.rejects(importTar('over:1', [file(`${at}g`, 'x')]), (e: Error) => {
    assert.match(e.message, /path is 4096 bytes long, more than 4095 \(PATH_MAX\)$/);
    assert.ok(e.message.length < 300 && !e.message.includes('\n'), e.message);
    return true;
  });
  assert.equal(inSnapshots().length, 1, 'only edge:1');
  await sb.engine.removeImage('edge:1');
  assert.deepEqual(inSnapshots(), []);
});

test('gc deletes a dead unpack left 60 levels deep', async () => {
  const dead = spawnSync('true').pid!;
  const scratch = path.join(snapshots, `.tmp-${dead}-0123456789ab`);
  fs.mkdirSync(scratch, { recursive: true });
  const r = spawnSync('bash', ['-c', `cd "$1" && for i in $(seq 60); do mkdir ${C} && cd ${C} || exit 1; echo x > f; done`, '_', scratch]);
  assert.equal(r.status, 0);
  assert.throws(() => fs.rmSync(scratch, { recursive: true }), { code: 'ENAMETOOLONG' }, 'a tree fs.rmSync cannot delete');
  const lines = await sb.engine.gc();
  assert.ok(lines.some((l) => l.includes(`image scratch .tmp-${dead}-`)), lines.join('\n'));
  assert.deepEqual(inSnapshots(), []);
});
