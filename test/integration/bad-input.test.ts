// Bad input: one clear line on stderr, docker's exit code, and nothing left behind
// (no container directory, no name, no cgroup).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { sandbox, cgroupChildren, busyboxRootfsTar, HUTCH, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

function leftovers(): string[] {
  const c = path.join(sb.root, 'containers');
  const n = path.join(sb.root, 'names');
  return [
    ...(fs.existsSync(c) ? fs.readdirSync(c) : []).map((x) => `container ${x}`),
    ...(fs.existsSync(n) ? fs.readdirSync(n) : []).map((x) => `name ${x}`),
    ...cgroupChildren(sb.cgroupParent).map((x) => `cgroup ${x}`),
  ];
}

function assertOneLine(stderr: string, re: RegExp) {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${stderr}`);
  assert.match(lines[0], re);
}

const cases: Array<[string, string[], number, RegExp]> = [
  ['unknown image, --pull never', ['run', '--pull', 'never', 'no-such-image', 'true'], 125, /Unable to find image 'no-such-image'/],
  ['bad memory string', ['run', '-m', '12zz', 'host', 'true'], 125, /invalid.*memory|memory.*invalid/i],
  ['bad cpus', ['run', '--cpus', 'lots', 'host', 'true'], 125, /cpus/i],
  ['bad name', ['run', '--name', '-x', 'host', 'true'], 125, /name/i],
  ['unknown flag', ['run', '--frobnicate', 'host', 'true'], 125, /frobnicate/],
  ['missing command in the image', ['run', 'host', 'no-such-command-xyz'], 127, /no-such-command-xyz.*not found/],
  ['command not executable', ['run', 'host', '/etc/passwd'], 126, /permission denied/],
  ['unknown container', ['stop', 'nope'], 1, /No such container: nope/],
];

// Container names as docker checks them, with a length that fits a file name (names/<name>).
cases.push(
  ['name of 252 characters', ['run', '--name', 'a'.repeat(252), 'host', 'true'], 125, /^hutch: Invalid container name \(a{32}…\): 252 characters, at most 128 are allowed$/],
  ['name of 300 characters (create)', ['create', '--name', 'b'.repeat(300), 'host', 'true'], 125, /^hutch: Invalid container name \(b{32}…\): 300 characters, at most 128 are allowed$/],
  ['name with a slash', ['create', '--name', 'a/b', 'host', 'true'], 125, /^hutch: Invalid container name \(a\/b\), only \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\] are allowed$/],
);

// The built-in `host` image runs but has no manifest, layers or registry name.
for (const [args, done] of [
  [['tag', 'host', 'mine'], 'tagged'],
  [['image', 'tag', 'host', 'mine:1'], 'tagged'],
  [['rmi', 'host'], 'removed'],
  [['rmi', '-f', 'host'], 'removed'],
  [['image', 'rm', 'host'], 'removed'],
  [['save', 'host'], 'saved'],
  [['image', 'save', '-o', '/dev/null/host.tar', 'host'], 'saved'],
  [['push', 'host'], 'pushed'],
  [['pull', 'host'], 'pulled'],
  [['pull', '-q', 'host'], 'pulled'],
] as Array<[string[], string]>)
  cases.push([`built-in image: ${args.join(' ')}`, args, 125, new RegExp(`^hutch: host is the built-in image: it cannot be ${done}$`)]);

for (const [what, args, code, re] of cases) {
  test(`bad input: ${what}`, () => {
    const images = imageRefs();
    const r = sb.cli(args);
    assert.equal(r.status, code, r.stderr);
    assertOneLine(r.stderr, re);
    assert.deepEqual(leftovers(), []);
    assert.deepEqual(imageRefs(), images);
    if (code === 125) assert.equal(r.stdout, '');
  });
}

/** The image store's names (refs.json), to see that a refused verb changed none. */
function imageRefs(): string {
  const f = path.join(sb.root, 'images', 'refs.json');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
}

test('a name of 128 characters is the longest allowed, and works', () => {
  const name = `n${'x'.repeat(126)}9`;
  const r = sb.cli(['run', '--rm', '--name', name, 'host', 'true']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(leftovers(), []);
});

test('bad input: duplicate name', () => {
  assert.equal(sb.cli(['run', '-d', '--name', 'dup', 'host', 'sleep', '30']).status, 0);
  const r = sb.cli(['run', '-d', '--name', 'dup', 'host', 'true']);
  assert.equal(r.status, 125);
  assertOneLine(r.stderr, /name "\/dup" is already in use/);
  assert.equal(sb.cli(['rm', '-f', 'dup']).status, 0);
  assert.deepEqual(leftovers(), []);
});

test('bad input: removing a running container without -f, stopping an exited one', () => {
  const id = sb.cli(['run', '-d', 'host', 'sleep', '30']).stdout.trim();
  let r = sb.cli(['rm', id]);
  assert.notEqual(r.status, 0);
  assertOneLine(r.stderr, /container is running/);
  assert.equal((JSON.parse(sb.cli(['inspect', id]).stdout)[0].State.Status), 'running');
  assert.equal(sb.cli(['kill', id]).status, 0);
  sb.cli(['wait', id]);
  r = sb.cli(['stop', id]);
  assert.notEqual(r.status, 0);
  assertOneLine(r.stderr, /is not running/);
  assert.equal(sb.cli(['rm', id]).status, 0);
  assert.deepEqual(leftovers(), []);
});

test('import: a rootfs tarball becomes an image; a bad tarball is one line and leaves nothing', async () => {
  const r = sb.cli(['import', busyboxRootfsTar(), 'busybox']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(sb.cli(['images']).stdout, /busybox/);
  const run = sb.cli(['run', '--rm', 'busybox', 'sh', '-c', 'echo $$; ls /bin/busybox']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, '1\n/bin/busybox\n');
  const bad = path.join(sb.root, 'bad.tar');
  fs.writeFileSync(bad, 'this is not a tar archive, not at all, and is long enough '.repeat(20));
  const storeFiles = () => fs.readdirSync(path.join(sb.root, 'images'), { recursive: true }).map(String).sort();
  const before = storeFiles();
  const r2 = sb.cli(['import', bad, 'broken']);
  assert.equal(r2.status, 125);
  assertOneLine(r2.stderr, /tar/);
  assert.deepEqual(storeFiles(), before);
  // No image can take the built-in one's name.
  const r3 = sb.cli(['tag', 'busybox', 'host']);
  assert.equal(r3.status, 125);
  assertOneLine(r3.stderr, /^hutch: invalid image name "host": reserved for the built-in image$/);
  assert.deepEqual(storeFiles(), before);
});

test('a hutch killed with SIGKILL in the middle of run leaves nothing that gc does not clean', async () => {
  for (const delay of [5, 20, 40, 80]) {
    const p = spawn(process.execPath, [HUTCH, 'run', '-m', '64m', '--pids-limit', '50', 'host', 'sleep', '60'], { env: sb.env, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 60 + delay));
    p.kill('SIGKILL');
    await new Promise((r) => p.on('close', r));
  }
  // Containers that got as far as created/running are real containers: remove them
  // the normal way; what remains must be cleaned by gc.
  for (const c of await sb.engine.list({ all: true })) await sb.engine.remove(c.id, { force: true });
  const g = sb.cli(['gc']);
  assert.equal(g.status, 0, g.stderr);
  assert.deepEqual(leftovers(), []);
});

test("run of an image that is not here and cannot be pulled: docker's two lines (not found, then why the pull failed), exit 125, nothing made", async () => {
  const r = sb.cli(['run', 'no-such-image', 'true']);
  assert.equal(r.status, 125, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  assert.equal(lines[0], "Unable to find image 'no-such-image:latest' locally");
  assert.match(lines[1], /^hutch: cannot reach registry docker\.io: /);
  assert.deepEqual(await sb.engine.list({ all: true }), []);
});
