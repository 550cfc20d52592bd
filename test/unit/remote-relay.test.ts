// The far end of a remote pane's shell: `hutch shell-serve connect`'s relay between
// its stdio (ssh's channel) and the shell's socket connection: the empty frame that
// says it is up, output as frames, typed bytes and sizes from frames cut anywhere,
// the shell's status as its exit frame, stdin's end as a detach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { encodeFrames, FRAME, FrameDecoder, resizeFrame } from '../../src/engine/container/attach-frames.js';
import { relay, type BinaryOut } from '../../src/cli/verbs/shell-serve.js';
import type { ShellConnection } from '../../src/engine/types.js';

function fakeConn() {
  const c = {
    written: [] as string[],
    sizes: [] as [number, number][],
    closed: false,
    data: (_d: Buffer) => {},
    end: (_c: number | null) => {},
  };
  const conn: ShellConnection = {
    write: (d) => void c.written.push(d.toString()),
    resize: (r, k) => void c.sizes.push([r, k]),
    onData: (f) => void (c.data = f),
    onEnd: (f) => void (c.end = f),
    close: () => void (c.closed = true),
  };
  return { c, conn };
}

function fakeOut() {
  const chunks: Buffer[] = [];
  const out: BinaryOut = {
    write(chunk, cb) {
      chunks.push(chunk);
      cb?.();
      return true;
    },
  };
  return { out, frames: () => new FrameDecoder().push(Buffer.concat(chunks)).map((f) => [f.type, f.data.toString()]) };
}

const tick = () => new Promise((r) => setImmediate(r));

test('relay: up frame, output out, keys and sizes in (frames cut anywhere), the status out, then done', async () => {
  const { c, conn } = fakeConn();
  const { out, frames } = fakeOut();
  const input = new PassThrough();
  const done = relay(conn, input, out);
  c.data(Buffer.from('$ '));
  const bytes = Buffer.concat([encodeFrames(FRAME.stdin, Buffer.from('ls\n')), resizeFrame(40, 132), encodeFrames(FRAME.stdinEof)]);
  input.write(bytes.subarray(0, 5));
  await tick();
  assert.deepEqual(c.written, [], 'half a frame waits');
  input.write(bytes.subarray(5));
  await tick();
  assert.deepEqual(c.written, ['ls\n']);
  assert.deepEqual(c.sizes, [[40, 132]]);
  c.end(0);
  assert.equal(await done, 0);
  assert.deepEqual(frames(), [
    [FRAME.stdout, ''],
    [FRAME.stdout, '$ '],
    [FRAME.exit, '0'],
  ]);
  assert.equal(c.closed, false);
});

test('relay: stdin\'s end detaches (the connection closed, the shell left running); a lost socket ends it with no status', async () => {
  const a = fakeConn();
  const input = new PassThrough();
  const done = relay(a.conn, input, fakeOut().out);
  input.end();
  assert.equal(await done, 0);
  assert.equal(a.c.closed, true);

  const b = fakeConn();
  const o = fakeOut();
  const lost = relay(b.conn, new PassThrough(), o.out);
  b.c.end(null);
  assert.equal(await lost, 1);
  assert.deepEqual(o.frames(), [[FRAME.stdout, '']], 'no exit frame: the far side sees a lost connection');
});
