// `attach`, detach keys and `run -a` (issue 16): docker's detach-key format, the
// scanner that finds them in typed input however it is cut, the attach socket's
// frames, and the CLI's bad-input answers (fake engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetachScanner, parseDetachKeys } from '../../src/engine/container/detach-keys.js';
import { encodeFrames, FRAME, FrameDecoder, resizeFrame } from '../../src/engine/container/attach-frames.js';
import { FakeEngine } from '../support/fake-engine.js';
import { cli } from '../support/cli-inproc.js';
import type { StartOptions } from '../../src/engine/types.js';

test("detach keys: docker's format, ctrl-p,ctrl-q by default; a bad key is one error naming it", () => {
  assert.deepEqual([...parseDetachKeys(undefined)], [0x10, 0x11]);
  assert.deepEqual([...parseDetachKeys('')], [0x10, 0x11]);
  assert.deepEqual([...parseDetachKeys('ctrl-a,x')], [0x01, 0x78]);
  assert.deepEqual([...parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,ctrl-z')], [0, 27, 28, 29, 30, 31, 26]);
  assert.deepEqual([...parseDetachKeys('a,b,c')], [0x61, 0x62, 0x63]);
  for (const bad of ['ctrl-', 'ctrl-1', 'ctrl-A', 'alt-x', 'xy', 'a,,b', 'é', ',']) {
    assert.throws(() => parseDetachKeys(bad), (e: Error & { exitCode?: number }) => e.exitCode === 125 && /^Invalid detach keys \(.*\) provided: unknown character: '/.test(e.message), bad);
  }
  assert.throws(() => parseDetachKeys(Array(17).fill('a').join(',')), /more than 16 keys/);
});

test('the scanner finds the sequence in any chunking, holds a started one back, and lets it through when it does not complete', () => {
  const keys = parseDetachKeys(undefined);
  const run = (chunks: string[]) => {
    const s = new DetachScanner(keys);
    let out = '';
    for (const c of chunks) {
      const r = s.push(Buffer.from(c, 'latin1'));
      out += r.pass.toString('latin1');
      if (r.detach) return { out, detach: true };
    }
    return { out, detach: false };
  };
  assert.deepEqual(run(['ls\r']), { out: 'ls\r', detach: false });
  assert.deepEqual(run(['ab\x10', '\x11zz']), { out: 'ab', detach: true });
  assert.deepEqual(run(['ab\x10\x11zz']), { out: 'ab', detach: true });
  // Ctrl-P alone reaches the container once the next key is not Ctrl-Q.
  assert.deepEqual(run(['\x10', 'x']), { out: '\x10x', detach: false });
  assert.deepEqual(run(['\x10']), { out: '', detach: false });
  // Ctrl-P Ctrl-P Ctrl-Q: the first is passed on, the next two detach.
  assert.deepEqual(run(['\x10', '\x10', '\x11']), { out: '\x10', detach: true });
  const one = new DetachScanner(parseDetachKeys('ctrl-a'));
  assert.deepEqual(one.push(Buffer.from('x\x01y')), { pass: Buffer.from('x'), detach: true });
  const three = new DetachScanner(parseDetachKeys('a,b,c'));
  assert.equal(three.push(Buffer.from('abxab')).pass.toString(), 'abx');
  assert.deepEqual(three.push(Buffer.from('c')), { pass: Buffer.alloc(0), detach: true });
});

test('frames: [type][len u16 BE][data], decoded from a stream cut anywhere; data over 64 KiB - 1 is split', () => {
  const stream = Buffer.concat([
    encodeFrames(FRAME.stdout, Buffer.from('hello\n')),
    encodeFrames(FRAME.stderr, Buffer.from('oops')),
    encodeFrames(FRAME.stdinEof),
    resizeFrame(40, 120),
    encodeFrames(FRAME.exit, Buffer.from('137')),
  ]);
  assert.deepEqual([...stream.subarray(0, 3)], [1, 0, 6]);
  for (const cut of [1, 2, 3, 5, 7, stream.length]) {
    const d = new FrameDecoder();
    const frames = [];
    for (let i = 0; i < stream.length; i += cut) frames.push(...d.push(stream.subarray(i, i + cut)));
    assert.equal(d.pending, 0);
    assert.deepEqual(
      frames.map((f) => [f.type, f.data.toString('hex')]),
      [
        [1, Buffer.from('hello\n').toString('hex')],
        [2, Buffer.from('oops').toString('hex')],
        [5, ''],
        [4, '00280078'],
        [3, Buffer.from('137').toString('hex')],
      ],
      `cut every ${cut}`,
    );
  }
  const big = encodeFrames(FRAME.stdin, Buffer.alloc(70_000, 0x61));
  const frames = new FrameDecoder().push(big);
  assert.deepEqual(frames.map((f) => f.data.length), [65535, 70_000 - 65535]);
  const half = new FrameDecoder();
  assert.deepEqual(half.push(big.subarray(0, 100)), []);
  assert.equal(half.pending, 100);
});

test('hutch attach: a stopped container, a bad --detach-keys: one line, 125; the exit status passes through; detach exits 0', async () => {
  const e = new FakeEngine();
  await cli(['create', '--name', 'box', '-i', 'host', 'sh'], e);
  const stopped = await cli(['attach', 'box'], e);
  assert.equal(stopped.code, 125);
  assert.equal(stopped.err, 'hutch: You cannot attach to a stopped container, start it first\n');
  await cli(['start', 'box'], e);
  const bad = await cli(['attach', '--detach-keys', 'ctrl-1', 'box'], e);
  assert.equal(bad.code, 125);
  assert.equal(bad.err, "hutch: Invalid detach keys (ctrl-1) provided: unknown character: 'ctrl-1'\n");
  assert.equal(e.callsOf('attach').length, 1, 'a bad value never reaches the engine');
  e.attachDetaches = true;
  const det = await cli(['container', 'attach', '--no-stdin', 'box'], e);
  assert.equal(det.code, 0, det.err);
  assert.equal((e.callsOf('attach').at(-1)![1] as { stdin: unknown }).stdin, null, '--no-stdin');
  e.attachDetaches = false;
  await cli(['run', '-dit', '--name', 'term', 'host', 'sh'], e);
  const notTty = await cli(['attach', 'term'], e, { stdinIsTTY: false });
  assert.equal(notTty.code, 125);
  assert.equal(notTty.err, 'hutch: the input device is not a TTY\n');
  assert.equal((await cli(['attach', '--no-stdin', 'term'], e, { stdinIsTTY: false })).code, 0, 'output only: no terminal needed');
  e.waitResult = { exitCode: 7, oomKilled: false };
  const ended = await cli(['attach', '--sig-proxy=false', 'box'], e);
  assert.equal(ended.code, 7, ended.err);
});

test('run -a: only the named streams; with -d a conflict; an unknown stream, a bad --detach-keys: 125 and nothing created', async () => {
  const e = new FakeEngine();
  const conflict = await cli(['run', '-d', '-a', 'stdout', 'host', 'true'], e);
  assert.equal(conflict.code, 125);
  assert.equal(conflict.err, 'hutch: Conflicting options: -a and -d\n');
  const unknown = await cli(['run', '-a', 'stdweird', 'host', 'true'], e);
  assert.equal(unknown.code, 125);
  assert.match(unknown.err, /^hutch: invalid argument "stdweird" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR\n$/);
  const keys = await cli(['run', '-it', '--detach-keys', 'nope', 'host', 'sh'], e, { stdinIsTTY: true });
  assert.equal(keys.code, 125);
  assert.equal(e.callsOf('create').length, 0, 'nothing created');
  const ok = await cli(['run', '-a', 'STDOUT', '-a', 'stderr', '--detach-keys', 'ctrl-x,y', 'host', 'true'], e);
  assert.equal(ok.code, 0, ok.err);
  const opts = e.callsOf('start')[0][1] as StartOptions;
  assert.deepEqual(opts.streams, ['stdout', 'stderr']);
  assert.equal(opts.detachKeys, 'ctrl-x,y');
});
