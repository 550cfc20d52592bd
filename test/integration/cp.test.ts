// hutch cp, export and diff against real containers (the host image: its /tmp
// is the container's own layer): docker's documented cases, running and
// stopped, tar streams both ways, bad input, and the symlink defences (each
// fails if paths were resolved on the host instead of in-root).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
let host: string;
let id: string;
before(async () => {
  sb = await sandbox();
  host = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-cp-'));
  const c = await sb.engine.create({ image: 'host', name: 'cpbox', cmd: ['sleep', '600'] });
  id = c.id;
  await sb.engine.start(id);
});
after(async () => {
  await sb?.cleanup();
  fs.rmSync(host, { recursive: true, force: true });
});

const cli = (args: string[], input?: string) => sb.cli(args, { input });
function ok(args: string[], input?: string): string {
  const r = cli(args, input);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
/** Runs sh -c in the container and returns its stdout. */
function sh(script: string): string {
  return ok(['exec', 'cpbox', 'sh', '-c', script]);
}
function fail(args: string[], re: RegExp): void {
  const r = cli(args);
  assert.equal(r.status, 125, `${args.join(' ')} should fail: ${r.stdout}`);
  assert.match(r.stderr, re);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
}
const uniq = () => `hutch-cp-${randomBytes(4).toString('hex')}`;
function hostFile(name: string, text: string): string {
  const p = path.join(host, name);
  fs.writeFileSync(p, text);
  return p;
}
function hostTree(name: string): string {
  const d = path.join(host, name);
  fs.mkdirSync(path.join(d, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(d, 'a.txt'), 'A');
  fs.writeFileSync(path.join(d, 'sub', 'b.txt'), 'B');
  return d;
}

test('file → missing path, existing file, directory (docker rules)', () => {
  const f = hostFile('one.txt', 'one');
  ok(['cp', f, 'cpbox:/tmp/new.txt']);
  assert.equal(sh('cat /tmp/new.txt'), 'one');
  ok(['cp', hostFile('two.txt', 'two'), 'cpbox:/tmp/new.txt']);
  assert.equal(sh('cat /tmp/new.txt'), 'two');
  sh('mkdir -p /tmp/into');
  ok(['cp', f, 'cpbox:/tmp/into']);
  assert.equal(sh('cat /tmp/into/one.txt'), 'one');
  assert.equal(sh('stat -c %u:%g /tmp/into/one.txt'), '0:0\n');
  fail(['cp', f, 'cpbox:/tmp/nodir/'], /no such directory/);
  fail(['cp', f, 'cpbox:/tmp/missing-parent/x'], /Could not find the file \/tmp\/missing-parent in container cpbox/);
});

test('dir → missing, into a dir, its contents with /., onto a file = error', () => {
  const d = hostTree('tree');
  ok(['cp', d, 'cpbox:/tmp/copy']);
  assert.equal(sh('cat /tmp/copy/a.txt /tmp/copy/sub/b.txt'), 'AB');
  sh('mkdir -p /tmp/parent /tmp/flat');
  ok(['cp', d, 'cpbox:/tmp/parent']);
  assert.equal(sh('cat /tmp/parent/tree/sub/b.txt'), 'B');
  ok(['cp', `${d}/.`, 'cpbox:/tmp/flat']);
  assert.equal(sh('ls /tmp/flat | sort | tr "\\n" " "'), 'a.txt sub ');
  fail(['cp', d, 'cpbox:/tmp/new.txt'], /cannot copy a directory to a file/);
  fail(['cp', d, 'cpbox:/tmp/nope/deeper'], /Could not find the file/);
});

test('container → host: file, dir, contents, missing parent, -a keeps owners', () => {
  sh('mkdir -p /tmp/out/s && echo x > /tmp/out/f && echo y > /tmp/out/s/g && chown 123:456 /tmp/out/f');
  const dst = path.join(host, 'got');
  ok(['cp', 'cpbox:/tmp/out/f', dst]);
  assert.equal(fs.readFileSync(dst, 'utf8'), 'x\n');
  assert.equal(fs.statSync(dst).uid, process.getuid!());
  ok(['cp', '-a', 'cpbox:/tmp/out/f', path.join(host, 'owned')]);
  assert.equal(fs.statSync(path.join(host, 'owned')).uid, 123);
  ok(['cp', 'cpbox:/tmp/out', path.join(host, 'outdir')]);
  assert.equal(fs.readFileSync(path.join(host, 'outdir', 's', 'g'), 'utf8'), 'y\n');
  fs.mkdirSync(path.join(host, 'flat2'));
  ok(['cp', 'cpbox:/tmp/out/.', path.join(host, 'flat2')]);
  assert.deepEqual(fs.readdirSync(path.join(host, 'flat2')).sort(), ['f', 's']);
  fail(['cp', 'cpbox:/tmp/out/f', path.join(host, 'no', 'where')], /no such directory/);
});

test('tar streams both ways with -', () => {
  const out = spawnSync(process.execPath, [path.join(import.meta.dirname, '../../bin/hutch.cjs'), 'cp', 'cpbox:/tmp/out', '-'], { env: sb.env });
  assert.equal(out.status, 0, String(out.stderr));
  const list = spawnSync('tar', ['-t'], { input: out.stdout }).stdout.toString().split('\n').filter(Boolean).sort();
  assert.deepEqual(list, ['out/', 'out/f', 'out/s/', 'out/s/g']);
  const d = hostTree('fortar');
  const tar = spawnSync('tar', ['-C', d, '-c', '.']).stdout;
  const r = spawnSync(process.execPath, [path.join(import.meta.dirname, '../../bin/hutch.cjs'), 'cp', '-', 'cpbox:/tmp/into'], { env: sb.env, input: tar });
  assert.equal(r.status, 0, String(r.stderr));
  assert.equal(sh('cat /tmp/into/sub/b.txt'), 'B');
  fail(['cp', '-', 'cpbox:/tmp/new.txt'], /must be a directory/);
});

test('bad input: one line, exit 125, nothing made', () => {
  const f = hostFile('bad.txt', 'bad');
  fail(['cp', f, 'nosuch:/tmp/x'], /No such container: nosuch/);
  fail(['cp', f, path.join(host, 'copy.txt')], /must specify at least one container source/);
  assert.equal(fs.existsSync(path.join(host, 'copy.txt')), false);
  fail(['cp', 'cpbox:/a', 'cpbox:/b'], /copying between containers is not supported/);
  fail(['cp', 'cpbox:/x', path.join(host, 'x')], /Could not find the file \/x in container cpbox/);
  assert.equal(fs.existsSync(path.join(host, 'x')), false);
});

test('symlinks in the container never lead to the host: absolute, relative, chained (running)', () => {
  sh('ln -s / /tmp/abs && ln -s ../../../../.. /tmp/rel && ln -s /tmp/ch2 /tmp/ch1 && ln -s / /tmp/ch2');
  for (const via of ['abs', 'rel', 'ch1']) {
    const name = uniq();
    ok(['cp', hostFile(`${via}.txt`, via), `cpbox:/tmp/${via}/${name}`]);
    assert.equal(fs.existsSync(`/${name}`), false, `host /${name} written through /tmp/${via}`);
    assert.equal(sh(`cat /${name}`), via);
  }
  // Out: a link to a host-only file reads the container's view (missing here), -L too.
  const secret = path.join(host, 'secret');
  fs.writeFileSync(secret, 'HOST SECRET');
  sh(`ln -s ${secret} /tmp/leak && mkdir -p /tmp/ld && ln -s ${host} /tmp/ld/dir`);
  fail(['cp', '-L', 'cpbox:/tmp/leak', path.join(host, 'l1')], /Could not find the file/);
  fail(['cp', 'cpbox:/tmp/ld/dir/secret', path.join(host, 'l2')], /Could not find the file/);
  ok(['cp', 'cpbox:/tmp/leak', path.join(host, 'l3')]);
  assert.equal(fs.readlinkSync(path.join(host, 'l3')), secret);
});

test('stopped container: cp both ways through its overlay, symlinks still in-root, nothing left mounted', async () => {
  await sb.engine.stop(id, 0);
  const name = uniq();
  ok(['cp', hostFile('stopped.txt', 'cold'), `cpbox:/tmp/abs/${name}`]);
  assert.equal(fs.existsSync(`/${name}`), false);
  ok(['cp', `cpbox:/${name}`, path.join(host, 'back')]);
  assert.equal(fs.readFileSync(path.join(host, 'back'), 'utf8'), 'cold');
  fail(['cp', '-L', 'cpbox:/tmp/leak', path.join(host, 'l4')], /Could not find the file/);
  assert.doesNotMatch(fs.readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(sb.root));
  const diff = ok(['diff', 'cpbox']);
  assert.match(diff, new RegExp(`^A /${name}$`, 'm'));
  assert.match(diff, /^C \/tmp$/m);
  const tar = spawnSync(process.execPath, [path.join(import.meta.dirname, '../../bin/hutch.cjs'), 'export', 'cpbox'], { env: sb.env, maxBuffer: 1 << 30 });
  assert.equal(tar.status, 0, String(tar.stderr));
  const names = spawnSync('tar', ['-t'], { input: tar.stdout, maxBuffer: 1 << 28 }).stdout.toString().split('\n');
  assert.ok(names.includes(name) && names.includes('tmp/out/s/g'), names.slice(0, 20).join(','));
  await sb.engine.start(id);
});

test('a container swapping a directory for a symlink to / while cp runs: nothing lands on the host', () => {
  const name = uniq();
  ok(['exec', '-d', 'cpbox', 'sh', '-c', 'while :; do rm -rf /tmp/sw; mkdir /tmp/sw; rm -rf /tmp/sw; ln -s / /tmp/sw; done']);
  const f = hostFile('race.txt', 'race');
  let landed = 0;
  for (let i = 0; i < 25; i++) {
    const r = cli(['cp', f, `cpbox:/tmp/sw/${name}`]);
    if (r.status === 0) landed++;
    assert.equal(fs.existsSync(`/${name}`), false, `host /${name} written on round ${i}`);
  }
  assert.ok(landed >= 0);
});

test('diff reports A, C and D', () => {
  sh('echo changed >> /tmp/new.txt; rm -f /etc/hostname 2>/dev/null; true');
  const lines = ok(['diff', 'cpbox']).trim().split('\n');
  assert.ok(lines.includes('A /tmp/new.txt'), lines.join('|'));
  assert.deepEqual([...lines].sort((a, b) => (a.slice(2) < b.slice(2) ? -1 : 1)), lines);
});
