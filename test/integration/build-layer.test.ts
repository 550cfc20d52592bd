// Layers from a real overlayfs upper directory (build/layer): the layer tar read
// back entry by entry with the project's tar reader (whiteouts, opaque directory,
// rename, hardlink, security.capability, long names, devices, mount points left
// out), the snapshot made by moving the upper equal to the one made by extracting
// the tar, and SOURCE_DATE_EPOCH making two layers of the same tree byte-identical.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { layerFromUpper, type LayerStore, type UpperLayer } from '../../src/engine/build/layer/index.js';
import type { Added } from '../../src/engine/images/additions.js';
import { FsBlobStore } from '../../src/engine/images/content/blobs.js';
import { layout, snapshotFs } from '../../src/engine/images/layout.js';
import { snapshotInfo } from '../../src/engine/images/snapshots.js';
import { loadNative } from '../../src/engine/native/real.js';
import { InvalidArgument } from '../../src/engine/errors.js';
import { dumpTree, makeUpper, readTar, setXattr, sh } from './build-layer-fixture.js';

const native = loadNative();
const CAP = '0100000200000000000000000000000000000000'; // cap_net_bind_service=e… (v2 caps, 20 bytes)
const LONG = `deep/${'d'.repeat(70)}/${'f'.repeat(90)}.txt`;
const LONG_TARGET = `/${'t'.repeat(120)}`;

const LOWER = `
mkdir -p dir/sub ren etc sys bin tmp
echo keep > keep.txt; echo old > mod.txt; echo gone > del.txt
echo a > dir/a; echo b > dir/sub/b; echo move > ren/old.txt
echo host > etc/hostname.lower
`;
// What a step does; then what the engine does for its mounts (targets it made).
const CHANGE = `
echo added > add.txt
echo more >> mod.txt
rm del.txt
rm -rf dir; mkdir dir; echo n > dir/new
mv ren/old.txt ren/new.txt
ln add.txt hard.txt
printf '#!/bin/sh\\n' > bin/tool; chmod 755 bin/tool
mkdir -p "$(dirname ${LONG})"; echo long > ${LONG}
ln -s ${LONG_TARGET} longlink
mkfifo fifo
mknod null c 1 3
mknod weird c 10 200
touch etc/hosts etc/hostname
echo 'nameserver 10.0.0.1' > etc/resolv.conf
mkdir proc sys2; mkdir -p vol/data
`;
const CANDIDATES = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/proc', '/sys', '/sys2', '/vol/data', '/tmp'];

function store(root: string): LayerStore {
  fs.mkdirSync(path.join(root, 'images'), { recursive: true });
  return { l: layout(path.join(root, 'images')), native, blobs: new FsBlobStore(path.join(root, 'images')), containersDir: path.join(root, 'containers') };
}

const fresh = (): Added => ({ blobs: new Set(), snapshots: new Set() });

function layerOf(r: UpperLayer) {
  assert.equal(r.empty, false);
  return r as Exclude<UpperLayer, { empty: true }>;
}

describe('layers from an overlay upper directory', () => {
  let T: string;
  let upper: string;
  let lower: string;
  before(() => {
    T = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-layer-'));
    ({ upper, lower } = makeUpper(T, LOWER, CHANGE));
    setXattr(path.join(upper, 'bin/tool'), 'security.capability', CAP);
    setXattr(path.join(upper, 'add.txt'), 'trusted.overlay.origin', '00ff');
  });
  after(() => fs.rmSync(T, { recursive: true, force: true }));

  test('the tar holds the change in layer form, entry by entry', async () => {
    const s = store(path.join(T, 'state-copy'));
    const copy = path.join(T, 'upper-copy');
    sh(`cp -a ${upper} ${copy}`, T);
    const r = layerOf(await layerFromUpper(s, fresh(), { upper: copy, parentChainId: null, lowerdirs: [lower], exclude: CANDIDATES, snapshot: 'copy' }));
    assert.ok(fs.existsSync(copy), "copy mode leaves the upper where it is");
    assert.equal(r.descriptor.mediaType, 'application/vnd.oci.image.layer.v1.tar');
    assert.equal(r.descriptor.digest, r.diffId);
    assert.equal(r.chainId, r.diffId, 'a base layer: chain id = diff id');
    const entries = readTar(s.blobs.path(r.diffId));
    const names = entries.map((e) => e.name);
    const by = new Map(entries.map((e) => [e.name, e]));

    // Deletes: an empty regular file .wh.NAME; rename: old whited out, new added.
    for (const w of ['.wh.del.txt', 'ren/.wh.old.txt']) {
      const e = by.get(w);
      assert.ok(e, `${w} in ${names.join(' ')}`);
      assert.equal(e.type, '0');
      assert.equal(e.size, 0);
    }
    assert.equal(by.get('ren/new.txt')?.data.toString(), 'move\n');
    // Opaque directory: the marker right after the directory, then its new content only.
    const d = names.indexOf('dir/');
    assert.deepEqual(names.slice(d, d + 3), ['dir/', 'dir/.wh..wh..opq', 'dir/new']);
    assert.ok(!names.some((n) => n.startsWith('dir/a') || n.startsWith('dir/sub')));
    // Modified and added files with their content; the untouched one is not there.
    assert.equal(by.get('mod.txt')?.data.toString(), 'old\nmore\n');
    assert.equal(by.get('add.txt')?.data.toString(), 'added\n');
    assert.ok(!by.has('keep.txt'));
    // Hardlink: the second name links to the first (sorted) one.
    assert.equal(by.get('hard.txt')?.type, '1');
    assert.equal(by.get('hard.txt')?.linkname, 'add.txt');
    // Capabilities kept as a PAX xattr; overlayfs' own xattrs left out.
    const tool = by.get('bin/tool')!;
    assert.deepEqual(tool.xattrs?.map(([k, v]) => [k, Buffer.from(v).toString('hex')]), [['security.capability', CAP]]);
    for (const e of entries) for (const [k] of e.xattrs ?? []) assert.ok(!k.startsWith('trusted.'), `${e.name} has ${k}`);
    // Long names and link targets through PAX.
    assert.equal(by.get(LONG)?.data.toString(), 'long\n');
    assert.equal(by.get('longlink')?.linkname, LONG_TARGET);
    // Special files.
    assert.equal(by.get('fifo')?.type, '6');
    assert.deepEqual([by.get('null')?.type, by.get('null')?.devMajor, by.get('null')?.devMinor], ['3', 1, 3]);
    assert.equal(by.get('weird')?.type, '3');
    // Mount points the engine made: out when empty and not in the lower layer.
    for (const gone of ['etc/hosts', 'etc/hostname', 'proc/', 'sys2/', 'vol/', 'vol/data/']) assert.ok(!by.has(gone), `${gone} left out`);
    assert.equal(by.get('etc/resolv.conf')?.data.toString(), 'nameserver 10.0.0.1\n', 'a written one stays');
    // Sorted: each directory before its contents, names within one directory in byte order.
    const parent = (n: string) => n.replace(/\/$/, '').replace(/(^|\/)[^/]*$/, '');
    for (let i = 1; i < names.length; i++) {
      const [a, b] = [names[i - 1], names[i]];
      if (parent(a) === parent(b) && !b.endsWith('.wh..wh..opq')) assert.ok(a < b, `${a} before ${b}`);
    }
    for (const n of names) if (parent(n)) assert.ok(names.indexOf(`${parent(n)}/`) < names.indexOf(n), `${parent(n)}/ before ${n}`);
    // Numeric owners only: no user or group names in any header.
    const raw = fs.readFileSync(s.blobs.path(r.diffId));
    for (let off = 0; off + 512 <= raw.length; off += 512)
      if (raw.toString('latin1', off + 257, off + 263) === 'ustar\0') assert.ok(raw.subarray(off + 265, off + 329).every((b) => b === 0), `uname/gname at ${off}`);
    // The snapshot (unpacked from the blob) and its record.
    const info = snapshotInfo(s.l, r.chainId);
    assert.deepEqual(info, { chainId: r.chainId, diffId: r.diffId, digest: r.diffId, entries: entries.length, size: raw.length });
  });

  test('the snapshot made by moving the upper equals the one extracted from the tar', async () => {
    const a = path.join(T, 'upper-a');
    const b = path.join(T, 'upper-b');
    sh(`cp -a ${upper} ${a} && cp -a ${upper} ${b}`, T);
    const sa = store(path.join(T, 'state-a'));
    const sb = store(path.join(T, 'state-b'));
    const ra = layerOf(await layerFromUpper(sa, fresh(), { upper: a, parentChainId: null, lowerdirs: [lower], exclude: CANDIDATES, snapshot: 'copy' }));
    const rb = layerOf(await layerFromUpper(sb, fresh(), { upper: b, parentChainId: null, lowerdirs: [lower], exclude: CANDIDATES, snapshot: 'move' }));
    assert.equal(rb.diffId, ra.diffId, 'the same layer');
    assert.ok(!fs.existsSync(b), 'moved away');
    assert.deepEqual(snapshotInfo(sb.l, rb.chainId), snapshotInfo(sa.l, ra.chainId));
    const extracted = dumpTree(snapshotFs(sa.l, ra.chainId));
    const moved = dumpTree(snapshotFs(sb.l, rb.chainId));
    assert.ok(extracted['del.txt'] && extracted['dir'].xattrs, 'the extracted tree has a whiteout and an opaque dir');
    assert.ok(!('weird' in moved), 'a device the extractor refuses is not in the moved snapshot either');
    assert.deepEqual(moved, extracted);
  });

  test('SOURCE_DATE_EPOCH: the same tree with other mtimes gives the same bytes', async () => {
    const a = path.join(T, 'upper-e1');
    const b = path.join(T, 'upper-e2');
    sh(`cp -a ${upper} ${a} && cp -a ${upper} ${b} && sleep 1 && find ${b} -exec touch -h {} +`, T);
    const s = store(path.join(T, 'state-e'));
    const opts = { parentChainId: 'sha256:' + 'a'.repeat(64), lowerdirs: [lower], exclude: CANDIDATES, snapshot: 'move' as const };
    const ra = layerOf(await layerFromUpper(s, fresh(), { ...opts, upper: a, sourceDateEpoch: 1_000_000_000 }));
    const rb = layerOf(await layerFromUpper(s, fresh(), { ...opts, upper: b, sourceDateEpoch: 1_000_000_000 }));
    assert.equal(rb.diffId, ra.diffId);
    assert.notEqual(ra.chainId, ra.diffId, 'on a parent: chain id from both');
    assert.equal(ra.snapshotCreated, true);
    assert.equal(rb.snapshotCreated, false, 'the second found the snapshot made');
    assert.ok(fs.existsSync(b), 'an upper whose snapshot exists is left to its owner');
    for (const e of readTar(s.blobs.path(ra.diffId))) assert.ok(e.mtimeSec <= 1_000_000_000, `${e.name} clamped`);
    const moved = dumpTree(snapshotFs(s.l, ra.chainId));
    for (const [p, e] of Object.entries(moved)) if ('mtime' in e) assert.ok((e.mtime as number) <= 1_000_000_000, `${p} clamped in the snapshot`);
    // Without the clamp, the touched tree is another layer.
    const c = path.join(T, 'upper-e3');
    sh(`cp -a ${b} ${c}`, T);
    const rc = layerOf(await layerFromUpper(s, fresh(), { ...opts, upper: c }));
    assert.notEqual(rc.diffId, ra.diffId);
  });

  test('nothing changed but mount points: an empty layer, nothing stored', async () => {
    const dir = path.join(T, 'empty');
    const { upper: u, lower: l } = makeUpper(dir, 'mkdir etc', 'touch etc/hosts; mkdir proc');
    const s = store(path.join(T, 'state-empty'));
    const added = fresh();
    const r = await layerFromUpper(s, added, { upper: u, parentChainId: null, lowerdirs: [l], exclude: ['/etc/hosts', '/proc'], snapshot: 'move' });
    assert.deepEqual(r, { empty: true });
    assert.ok(fs.existsSync(path.join(u, 'etc/hosts')), 'the upper is left as it was');
    assert.ok(!fs.existsSync(s.l.snapshots) || fs.readdirSync(s.l.snapshots).length === 0, 'no snapshot');
    // The empty tar's blob (if new) is the caller's to drop (adding() does).
    assert.ok([...added.blobs].every((b) => s.blobs.has(b)));
  });

  test('a name reserved for whiteouts is refused in one line', async () => {
    const dir = path.join(T, 'reserved');
    const { upper: u } = makeUpper(dir, 'true', 'echo x > .wh.sneaky');
    const s = store(path.join(T, 'state-reserved'));
    await assert.rejects(
      layerFromUpper(s, fresh(), { upper: u, parentChainId: null, lowerdirs: [], snapshot: 'move' }),
      (e: Error) => e instanceof InvalidArgument && e.message === 'cannot make a layer: "/.wh.sneaky": names starting with .wh. are reserved for whiteouts in image layers',
    );
    assert.ok(fs.existsSync(path.join(u, '.wh.sneaky')));
    assert.deepEqual(fs.readdirSync(path.join(s.l.dir, 'ingest')), [], 'no temp blob left');
  });

  test('the extractor in apply mode reads the layer back as the overlay showed it', async () => {
    const s = store(path.join(T, 'state-apply'));
    const copy = path.join(T, 'upper-apply');
    sh(`cp -a ${upper} ${copy}`, T);
    const r = layerOf(await layerFromUpper(s, fresh(), { upper: copy, parentChainId: null, lowerdirs: [lower], exclude: CANDIDATES, snapshot: 'copy' }));
    const flat = path.join(T, 'flat');
    sh(`cp -a ${lower} ${flat}`, T);
    const { extractLayer } = await import('../../src/engine/images/extract/index.js');
    await extractLayer(s.blobs.path(r.diffId), flat, { whiteouts: 'apply' });
    const merged = path.join(T, 'merged-view');
    fs.mkdirSync(merged);
    const m = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${copy}:${lower}`, merged]);
    assert.equal(m.status, 0);
    let view;
    try {
      view = dumpTree(merged);
    } finally {
      spawnSync('umount', [merged]);
    }
    const got = dumpTree(flat);
    for (const p of ['del.txt', 'ren/old.txt', 'dir/a', 'dir/sub']) assert.ok(!(p in got), `${p} gone`);
    // The mount points left out and the refused device aside, the same tree.
    for (const p of ['etc/hosts', 'etc/hostname', 'proc', 'sys2', 'vol', 'vol/data', 'weird']) delete view[p];
    for (const t of [view, got]) for (const e of Object.values(t)) delete e.dirmtime;
    assert.deepEqual(got, view);
  });
});
