// hutch cp into and out of a running container's volume (a mount inside its root):
// the copy crosses into the mount, and a symlink in the volume still cannot lead out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { HUTCH, sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
let host: string;
before(async () => {
  sb = await sandbox();
  host = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-cpvol-'));
});
after(async () => {
  await sb?.cleanup();
  fs.rmSync(host, { recursive: true, force: true });
});

function ok(args: string[]): string {
  const r = sb.cli(args);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('cp into a named volume and a bind of a running container, and back out', () => {
  const bind = fs.mkdtempSync(path.join(host, 'bind-'));
  ok(['run', '-d', '--name', 'vbox', '-v', 'cpvol:/data', '-v', `${bind}:/b`, 'host', 'sleep', '600']);
  const src = path.join(host, 'in.txt');
  fs.writeFileSync(src, 'into the volume\n');
  ok(['cp', src, 'vbox:/data/in.txt']);
  assert.equal(ok(['exec', 'vbox', 'cat', '/data/in.txt']), 'into the volume\n');
  ok(['cp', src, 'vbox:/b/in.txt']);
  assert.equal(fs.readFileSync(path.join(bind, 'in.txt'), 'utf8'), 'into the volume\n', 'a bind: the host directory has it');
  ok(['cp', 'vbox:/data/in.txt', path.join(host, 'out.txt')]);
  assert.equal(fs.readFileSync(path.join(host, 'out.txt'), 'utf8'), 'into the volume\n');
  // A symlink in the volume pointing at / is still resolved in the container's root.
  ok(['exec', 'vbox', 'ln', '-s', '/', '/data/up']);
  const sentinel = path.join(os.tmpdir(), `hutch-cpvol-sentinel-${process.pid}`);
  ok(['cp', src, `vbox:/data/up${sentinel}`]);
  assert.ok(!fs.existsSync(sentinel), 'nothing written on the host');
  assert.equal(ok(['exec', 'vbox', 'cat', sentinel]), 'into the volume\n', 'it landed in the container');
});

test('export of a running container: its own files, not its volumes, binds or /proc', () => {
  ok(['exec', 'vbox', 'sh', '-c', 'echo layer > /layerfile']);
  const tar = spawnSync(process.execPath, [HUTCH, 'export', 'vbox'], { env: sb.env, maxBuffer: 1 << 30 });
  assert.equal(tar.status, 0, String(tar.stderr));
  const names = spawnSync('tar', ['-t'], { input: tar.stdout, maxBuffer: 1 << 28 }).stdout.toString().split('\n');
  assert.ok(names.includes('layerfile'), 'the container layer');
  assert.ok(!names.some((n) => n.startsWith('data/') && n !== 'data/'), 'no volume contents');
  assert.ok(!names.some((n) => n.startsWith('b/') && n !== 'b/'), 'no bind contents');
  assert.ok(!names.some((n) => /^proc\/\d/.test(n)), 'no /proc');
});
