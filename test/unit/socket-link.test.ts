// The shell socket's paced reading (src/engine/container/socket-link.ts): a read
// after a quiet moment is delivered at once, the next not before the pace, and
// every byte arrives in order whatever the pauses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { socketLink } from '../../src/engine/container/socket-link.js';

/** A connected pair over a unix socket in a temp dir of our own (removed by `done`). */
async function pair(): Promise<{ server: net.Socket; client: net.Socket; done: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-socklink-'));
  const at = path.join(dir, 's.sock');
  const listener = net.createServer();
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  await new Promise<void>((resolve) => listener.listen(at, resolve));
  const client = net.connect({ path: at });
  const server = await accepted;
  server.on('error', () => {}); // the client going first resets it
  await new Promise<void>((resolve) => (client.readyState === 'open' ? resolve() : client.once('connect', () => resolve())));
  return {
    server,
    client,
    done: () => {
      client.destroy();
      server.destroy();
      listener.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('the first read comes at once, the next not before the pace', async () => {
  const { server, client, done } = await pair();
  try {
    const link = socketLink(client, 150);
    const got: { at: number; text: string }[] = [];
    link.onBytes((b) => got.push({ at: performance.now(), text: b.toString() }));
    const t0 = performance.now();
    server.write('a');
    while (got.length < 1) await new Promise((r) => setTimeout(r, 2));
    assert.ok(got[0].at - t0 < 100, `the first byte after a quiet moment is read at once (${(got[0].at - t0).toFixed(0)} ms)`);
    server.write('b');
    while (got.length < 2) await new Promise((r) => setTimeout(r, 2));
    assert.equal(got[1].text, 'b');
    assert.ok(got[1].at - got[0].at >= 140, `the second read waits for the pace (${(got[1].at - got[0].at).toFixed(0)} ms)`);
  } finally {
    done();
  }
});

test('a flood arrives whole and in order, in few reads', async () => {
  const { server, client, done } = await pair();
  try {
    const link = socketLink(client, 20);
    const parts: Buffer[] = [];
    let closed = false;
    link.onBytes((b) => parts.push(b));
    link.onClose(() => (closed = true));
    const data = Buffer.alloc(4 << 20);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 12)) & 0xff;
    for (let at = 0; at < data.length; at += 4096) server.write(data.subarray(at, at + 4096));
    server.end();
    const until = Date.now() + 20_000;
    while (!closed && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.ok(closed, 'the end of the stream is seen');
    assert.ok(Buffer.concat(parts).equals(data), 'every byte, in order');
    assert.ok(parts.length < 1024, `fewer reads than the 1024 writes (${parts.length})`);
  } finally {
    done();
  }
});

test('destroy while paused: no read after, the socket closed', async () => {
  const { server, client, done } = await pair();
  try {
    const link = socketLink(client, 200);
    const got: string[] = [];
    link.onBytes((b) => got.push(b.toString()));
    server.write('x');
    while (got.length < 1) await new Promise((r) => setTimeout(r, 2));
    server.write('y');
    link.destroy();
    assert.equal(link.writable(), false);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(got, ['x']);
  } finally {
    done();
  }
});
