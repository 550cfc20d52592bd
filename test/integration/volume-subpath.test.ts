// volume-subpath: the monitor resolves the subdirectory beneath the volume at every
// start, without symlinks. A container that can write the volume and swaps the
// subdirectory for a symlink to / after the other container was created must not
// get the host's root mounted into that one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sandbox, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

function ok(args: string[]): string {
  const r = sb.cli(args);
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('a subpath mounts that directory of the volume; one swapped for a symlink after create is refused at start', () => {
  ok(['volume', 'create', 'sp']);
  ok(['run', '-d', '--name', 'writer', '-v', 'sp:/v', 'host', 'sleep', '600']);
  ok(['exec', 'writer', 'sh', '-c', 'mkdir -p /v/sub /v/later && echo inside > /v/sub/f']);
  assert.equal(ok(['run', '--rm', '--mount', 'type=volume,src=sp,dst=/s,volume-subpath=sub', 'host', 'cat', '/s/f']), 'inside\n');
  // Checked at create (the directory exists and is no symlink), then swapped.
  ok(['create', '--name', 'victim', '--mount', 'type=volume,src=sp,dst=/s,volume-subpath=later', 'host', 'ls', '/s/etc/shadow']);
  ok(['exec', 'writer', 'sh', '-c', 'rmdir /v/later && ln -s / /v/later']);
  const r = sb.cli(['start', '-a', 'victim']);
  assert.notEqual(r.status, 0, `the start must fail: ${r.stdout}`);
  assert.match(r.stderr, /\/s.*subpath.*ELOOP/, r.stderr);
  assert.doesNotMatch(r.stdout, /shadow/);
});
