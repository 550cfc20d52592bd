// cp's pure parts: docker's destination rules, the CLI's argument grammar, and the
// tar writer read back by the extractor's reader (long names via pax).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planCopy } from '../../src/engine/fs/plan.js';
import { parseCpArg } from '../../src/cli/verbs/cp.js';
import { TarWriter } from '../../src/engine/fs/tar-out.js';
import { TarReader, type TarEntry } from '../../src/engine/images/extract/tar-reader.js';

test('planCopy follows docker cp rules', () => {
  assert.deepEqual(planCopy('/h/f', false, '/c/new', null), { dir: '/c', name: 'new', needParent: true });
  assert.deepEqual(planCopy('/h/f', false, '/c/file', 'other'), { dir: '/c', name: 'file', needParent: false });
  assert.deepEqual(planCopy('/h/f', false, '/c/d', 'dir'), { dir: '/c/d', name: 'f', needParent: false });
  assert.throws(() => planCopy('/h/f', false, '/c/nodir/', null), /no such directory/);
  assert.deepEqual(planCopy('/h/d', true, '/c/new', null), { dir: '/c', name: 'new', needParent: true });
  assert.throws(() => planCopy('/h/d', true, '/c/file', 'other'), /cannot copy a directory to a file/);
  assert.deepEqual(planCopy('/h/d', true, '/c/x', 'dir'), { dir: '/c/x', name: 'd', needParent: false });
  assert.deepEqual(planCopy('/h/d/.', true, '/c/x', 'dir'), { dir: '/c/x', name: null, needParent: false });
});

test('cp arguments: CONTAINER:PATH, local paths, -', () => {
  assert.deepEqual(parseCpArg('web:/etc'), { container: 'web', path: '/etc' });
  assert.deepEqual(parseCpArg('./a:b'), { path: './a:b' });
  assert.deepEqual(parseCpArg('/x:y'), { path: '/x:y' });
  assert.deepEqual(parseCpArg('-'), { path: '-' });
  assert.deepEqual(parseCpArg('web:'), { container: 'web', path: '/' });
});

test('TarWriter output reads back: long names, links, data', async () => {
  const chunks: Buffer[] = [];
  const w = new TarWriter({ emit: (c) => (chunks.push(c), true), waitDrain: async () => {} });
  const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
  const base = { linkname: '', mode: 0o644, uid: 7, gid: 8, size: 0, mtimeSec: 1000, mtimeNsec: 0, devMajor: 0, devMinor: 0, xattrs: null };
  w.entry({ ...base, type: '5', name: 'd'.repeat(120) }, Buffer.alloc(0), 0, 0);
  const data = Buffer.from('hello world');
  w.entry({ ...base, type: '0', name: long, size: data.length }, data, 0, 5);
  w.data(data, 5, data.length - 5);
  w.entry({ ...base, type: '2', name: 'ln', linkname: 'x'.repeat(200) }, Buffer.alloc(0), 0, 0);
  w.finish();
  const got: Array<TarEntry & { body: string }> = [];
  const r = new TarReader({
    entry: (e, b, o, l) => got.push({ ...e, body: b.toString('latin1', o, o + l) }),
    data: (b, o, l) => (got[got.length - 1].body += b.toString('latin1', o, o + l)),
  });
  r.push(Buffer.concat(chunks));
  r.end();
  assert.deepEqual(got.map((e) => [e.type, e.name, e.linkname.length, e.uid, e.body]), [
    ['5', `${'d'.repeat(120)}/`, 0, 7, ''],
    ['0', long, 0, 7, 'hello world'],
    ['2', 'ln', 200, 7, ''],
  ]);
});
