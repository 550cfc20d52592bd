// rmi of several names of one image, in one command, prints what docker prints: an
// `Untagged:` line per name, and `Deleted:` once, with the last name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sandbox, type Sandbox } from './helpers.js';
import { buildImage, busyboxLayer, ociArchive, type BuiltImage } from './images-fixtures.js';

let sb: Sandbox;
let img: BuiltImage;

function ok(args: string[]) {
  const r = sb.cli(args);
  assert.equal(r.status, 0, `hutch ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  sb = await sandbox();
  img = buildImage({ name: 'docker.io/library/twotags:1', layers: [busyboxLayer()] });
  const archive = path.join(sb.root, 'twotags.tar');
  fs.writeFileSync(archive, ociArchive([{ built: img, name: 'docker.io/library/twotags:1' }]));
  ok(['load', '-i', archive]);
});

after(async () => {
  await sb?.cleanup();
});

test('rmi of two tags of one image: Untagged per tag, Deleted once; by id with -f: every tag, Deleted once', () => {
  ok(['tag', 'twotags:1', 'twotags:2']);
  assert.equal(ok(['rmi', 'twotags:1', 'twotags:2']), `Untagged: twotags:1\nUntagged: twotags:2\nDeleted: ${img.configDigest}\n`);
  assert.doesNotMatch(ok(['images']), /twotags/);

  ok(['load', '-i', path.join(sb.root, 'twotags.tar')]);
  ok(['tag', 'twotags:1', 'other/name:3']);
  // By id, an image with two names needs -f (docker's "referenced in multiple repositories").
  const r = sb.cli(['rmi', img.configDigest.slice(7, 19)]);
  assert.equal(r.status, 125, r.stderr);
  assert.match(r.stderr, /referenced in multiple repositories/);
  const out = ok(['rmi', '-f', img.configDigest.slice(7, 19)]).split('\n').filter(Boolean);
  assert.deepEqual(out.filter((l) => l.startsWith('Untagged: ')).sort(), ['Untagged: other/name:3', 'Untagged: twotags:1']);
  assert.deepEqual(out.filter((l) => l.startsWith('Deleted: ')), [`Deleted: ${img.configDigest}`]);
  assert.equal(out.length, 3);
  assert.doesNotMatch(ok(['images']), /twotags|other\/name/);
});
