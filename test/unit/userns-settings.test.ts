// userns-remap (settings.json) and the plan of a container's user namespace: pure parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSettings } from '../../src/engine/settings.js';
import { subidRangeOf, usernsPlan } from '../../src/engine/security/userns.js';
import { parseMountFlag, parseVolumeFlag } from '../../src/engine/volumes/parse.js';

test('usernsPlan: the container\'s --userns wins; else the root\'s userns-remap', () => {
  assert.deepEqual(usernsPlan(undefined, undefined), { kind: 'host' });
  assert.deepEqual(usernsPlan('host', 'default'), { kind: 'host' });
  assert.deepEqual(usernsPlan(undefined, 'default'), { kind: 'remap' });
  assert.deepEqual(usernsPlan(undefined, 'auto:size=1000'), { kind: 'auto', size: 1000 });
  assert.deepEqual(usernsPlan(undefined, 'bob'), { kind: 'remap', user: 'bob', group: 'bob' });
  assert.deepEqual(usernsPlan(undefined, 'bob:staff'), { kind: 'remap', user: 'bob', group: 'staff' });
  assert.deepEqual(usernsPlan('auto', 'bob'), { kind: 'auto', size: 65536 });
});

test('subidRangeOf: the user\'s first /etc/subuid range and the group\'s /etc/subgid one', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-unit-subid-'));
  try {
    const uid = path.join(d, 'subuid');
    const gid = path.join(d, 'subgid');
    fs.writeFileSync(uid, 'alice:100000:65536\nbob:165536:65536\nbob:500000:10\n');
    fs.writeFileSync(gid, 'bob:231072:65536\nstaff:300000:1000\n');
    assert.deepEqual(subidRangeOf('bob', 'bob', { uid, gid }), { base: 165536, size: 65536, gidBase: 231072 });
    assert.deepEqual(subidRangeOf('bob', 'staff', { uid, gid }), { base: 165536, size: 1000, gidBase: 300000 });
    assert.throws(() => subidRangeOf('alice', 'alice', { uid, gid }), /^\w+: userns-remap: no range for "alice" in .*subgid \(add a line "alice:START:COUNT"/);
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('readSettings: absent is none; bad files are one line naming the file', () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-unit-settings-'));
  try {
    assert.deepEqual(readSettings(d), {});
    const f = path.join(d, 'settings.json');
    const cases: Array<[string, RegExp | object]> = [
      ['{"userns-remap": "default"}', { usernsRemap: 'default' }],
      ['{"userns-remap": ""}', {}],
      ['{"userns-remap": "auto:size=2000"}', { usernsRemap: 'auto:size=2000' }],
      ['{"userns-remap": "hutch:hutch"}', { usernsRemap: 'hutch:hutch' }],
      ['{nope', /settings\.json: not valid JSON/],
      ['[]', /settings\.json: expected an object of settings/],
      ['{"userns_remap": "default"}', /unknown setting "userns_remap" \(known: userns-remap\)/],
      ['{"userns-remap": 1}', /"userns-remap" must be a string/],
      ['{"userns-remap": "auto:size=-1"}', /"userns-remap": invalid --userns option "size=-1"/],
      ['{"userns-remap": "a b"}', /invalid "userns-remap" "a b": default, USER\[:GROUP\] or auto\[:size=N\]/],
    ];
    for (const [text, want] of cases) {
      fs.writeFileSync(f, text);
      if (want instanceof RegExp) assert.throws(() => readSettings(d), (e: Error) => want.test(e.message) && e.message.startsWith(f) && !e.message.includes('\n'), text);
      else assert.deepEqual(readSettings(d), want, text);
    }
  } finally {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('idmap (podman\'s mount option) in -v and --mount', () => {
  assert.equal(parseVolumeFlag('/h:/c:ro,idmap').idmap, true);
  assert.equal(parseVolumeFlag('vol:/c:idmap').idmap, true);
  assert.equal(parseVolumeFlag('vol:/c').idmap, undefined);
  assert.throws(() => parseVolumeFlag('vol:/c:idmap,idmap'), /invalid mode: idmap,idmap/);
  assert.equal(parseMountFlag('type=bind,src=/h,dst=/c,idmap').idmap, true);
  assert.equal(parseMountFlag('type=volume,src=v,dst=/c,idmap=false').idmap, undefined);
});
