// A `hutch load` killed with SIGKILL at any point (while blobs stream in, while layers
// unpack, while the image is recorded) leaves a consistent store: every name points to
// a complete image, gc removes the temp files and directories, and the next load
// completes and runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { HUTCH, sandbox, type Sandbox } from './helpers.js';
import { buildImage, busyboxLayer, ociArchive, type BuiltImage } from './images-fixtures.js';
import { dir, file, type TarSpec } from '../support/tar-writer.js';

let sb: Sandbox;
let img: BuiltImage;
let archive: string;

function manyFiles(prefix: string, n: number): TarSpec[] {
  const out: TarSpec[] = [dir(prefix)];
  for (let d = 0; d < n / 500; d++) {
    out.push(dir(`${prefix}/${d}`));
    for (let i = 0; i < 500; i++) out.push(file(`${prefix}/${d}/${i}`, `${prefix} ${d} ${i}\n`.repeat(20)));
  }
  return out;
}

before(async () => {
  sb = await sandbox();
  img = buildImage({ layers: [busyboxLayer(), { tar: manyFiles('a', 15000), gzip: true }, { tar: manyFiles('b', 15000) }] });
  archive = path.join(sb.root, 'big.tar');
  fs.writeFileSync(archive, ociArchive([{ built: img, name: 'docker.io/library/big:1' }]));
});

after(async () => {
  await sb.cleanup();
});

/** The store's invariants: names point to records whose blobs and snapshots are all there. */
function assertConsistent(): void {
  const images = path.join(sb.root, 'images');
  const refsFile = path.join(images, 'refs.json');
  const refs: Record<string, string> = fs.existsSync(refsFile) ? JSON.parse(fs.readFileSync(refsFile, 'utf8')) : {};
  for (const [name, digest] of Object.entries(refs)) {
    const metaFile = path.join(images, 'meta', `${digest.slice(7)}.json`);
    assert.ok(fs.existsSync(metaFile), `${name} has its record`);
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    for (const l of meta.layers) {
      assert.ok(fs.existsSync(path.join(images, 'snapshots', l.chainId.slice(7), 'info.json')), `snapshot ${l.chainId} complete`);
      assert.ok(fs.existsSync(path.join(images, 'blobs', 'sha256', l.digest.slice(7))), `blob ${l.digest}`);
    }
  }
  for (const n of fs.existsSync(path.join(images, 'snapshots')) ? fs.readdirSync(path.join(images, 'snapshots')) : []) {
    if (/^[0-9a-f]{64}$/.test(n)) assert.ok(fs.existsSync(path.join(images, 'snapshots', n, 'info.json')), `snapshot ${n} is whole`);
  }
}

function leftovers(): string[] {
  const images = path.join(sb.root, 'images');
  const out: string[] = [];
  for (const d of ['ingest', 'snapshots', '.']) {
    const p = path.join(images, d);
    if (fs.existsSync(p)) for (const n of fs.readdirSync(p)) if (/^\.(tmp|rm|mnt)-/.test(n)) out.push(`${d}/${n}`);
  }
  return out;
}

async function loadKilledAfter(ms: number): Promise<boolean> {
  const p = spawn(process.execPath, [HUTCH, 'load', '-i', archive], { env: sb.env, stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  const t = setTimeout(() => p.kill('SIGKILL'), ms);
  const code = await exited;
  clearTimeout(t);
  return code === 0;
}

test('SIGKILL during load at many points: consistent store, gc cleans, the next load completes', async () => {
  const start = Date.now();
  assert.equal(sb.cli(['load', '-i', archive], { timeout: 120_000 }).status, 0);
  const full = Date.now() - start;
  assert.equal(sb.cli(['rmi', 'big:1']).status, 0);
  let killedMidway = 0;
  for (const frac of [0.15, 0.3, 0.45, 0.6, 0.75, 0.9]) {
    const completed = await loadKilledAfter(Math.round(full * frac));
    assertConsistent();
    if (!completed) killedMidway++;
    const gc = sb.cli(['gc']);
    assert.equal(gc.status, 0, gc.stderr);
    assert.deepEqual(leftovers(), [], `after gc (killed at ${frac})`);
    assertConsistent();
    const names = sb.cli(['images']).stdout;
    if (/big\s+1/.test(names)) assert.equal(sb.cli(['rmi', 'big:1']).status, 0);
  }
  assert.ok(killedMidway >= 3, `at least three loads were killed before they finished (${killedMidway})`);
  // Killed partway with partial unpacks left in place, then loaded to the end.
  await loadKilledAfter(Math.round(full * 0.5));
  const r = sb.cli(['load', '-i', archive], { timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'Loaded image: big:1\n');
  assertConsistent();
  const run = sb.cli(['run', '--rm', 'big:1', 'sh', '-c', 'ls /a/29 | wc -l; head -n1 /b/3/499']);
  assert.equal(run.stdout, '500\nb 3 499\n', run.stderr);
  sb.cli(['gc']);
  assert.deepEqual(leftovers(), []);
});

test('concurrent loads of one image all succeed and unpack each layer once into the store', async () => {
  sb.cli(['rmi', 'big:1']);
  sb.cli(['gc']);
  const runs = [0, 1, 2].map(
    () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(process.execPath, [HUTCH, 'load', '-i', archive], { env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (out += d));
        p.on('exit', (code) => resolve({ code, out }));
      }),
  );
  for (const r of await Promise.all(runs)) assert.deepEqual(r, { code: 0, out: 'Loaded image: big:1\n' });
  assertConsistent();
  const snaps = fs.readdirSync(path.join(sb.root, 'images', 'snapshots'));
  assert.equal(snaps.filter((n) => /^[0-9a-f]{64}$/.test(n)).length, 3);
  assert.deepEqual(leftovers(), []);
  assert.equal(sb.cli(['run', '--rm', 'big:1', 'cat', '/a/0/0']).stdout, 'a 0 0\n'.repeat(20));
});
