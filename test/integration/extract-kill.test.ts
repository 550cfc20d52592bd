// A process killed with SIGKILL in the middle of an extraction: nothing outside
// the root is touched (the layer is full of symlinks pointing outside, which a
// half-done extraction must not have followed), and extracting the same layer
// again into a fresh directory completes. Cleaning up the half-written
// directory is the store's job (it owns the target).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { extractLayer } from '../../src/engine/images/extract/index.js';
import { extractSandbox } from '../support/extract-sandbox.js';
import { dir, file, symlink, tar, type TarSpec } from '../support/tar-writer.js';

const INDEX = pathToFileURL(path.resolve(import.meta.dirname, '../../src/engine/images/extract/index.ts')).href;

test('SIGKILL mid-extraction leaves the outside untouched; a new extraction completes', async () => {
  const sb = extractSandbox();
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const entries: TarSpec[] = [];
    for (let d = 0; d < 40; d++) {
      entries.push(dir(`d${d}`), symlink(`d${d}/out-abs`, `${sb.T}/outside`), symlink(`d${d}/out-rel`, '../../outside/secret.txt'));
      for (let i = 0; i < 150; i++) entries.push(file(`d${d}/f${i}`, `file ${d}/${i}\n`.repeat(20)));
    }
    const layer = sb.layer(zlib.gzipSync(tar(entries), { level: 1 }), 'big.tar.gz');
    const script = path.join(sb.T, 'child.mjs');
    fs.writeFileSync(
      script,
      `const { extractLayer } = await import(${JSON.stringify(INDEX)});
await extractLayer(process.argv[2], process.argv[3], { whiteouts: 'apply', onProgress: (n) => process.stdout.write('progress ' + n + '\\n') });
process.stdout.write('done\\n');`,
    );
    const before = sb.snapshot();
    child = spawn(process.execPath, ['--import', 'tsx', script, layer, sb.root], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise((r) => child!.once('exit', r));
    // Some files written, far from all: kill it.
    const t0 = Date.now();
    while (!fs.existsSync(path.join(sb.root, 'd1/f0')) && child.exitCode === null && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await exited;
    assert.ok(!out.includes('done'), 'killed before the end');
    assert.ok(!fs.existsSync(path.join(sb.root, 'd39/f149')), 'partial');
    assert.deepEqual(sb.snapshot(), before, 'nothing outside the root changed');

    const fresh = path.join(sb.T, 'root2');
    fs.mkdirSync(fresh);
    const r = await extractLayer(layer, fresh, { whiteouts: 'apply' });
    assert.equal(r.entries, entries.length);
    assert.equal(fs.readFileSync(path.join(fresh, 'd39/f149'), 'utf8'), 'file 39/149\n'.repeat(20));
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    sb.cleanup();
  }
});
