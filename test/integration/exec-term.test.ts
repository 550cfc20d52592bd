// A shell entered with exec -t (the dashboard's `e` too) gets the caller's TERM: `clear`
// works and bash does not fall back to "dumb" (issue 11 §5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sandbox, HUTCH, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

test('exec -t passes the caller\'s TERM; run -t sets xterm; without -t none is invented', () => {
  assert.equal(sb.cli(['run', '-d', '--name', 'term', 'host', 'sleep', '1000']).status, 0);
  const underTerminal = (args: string[], term: string) =>
    spawnSync('script', ['-qec', [process.execPath, HUTCH, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], {
      env: { ...sb.env, TERM: term },
      encoding: 'utf8',
      timeout: 60_000,
    });
  const t = underTerminal(['exec', '-t', 'term', 'sh', '-c', 'echo "term=$TERM"'], 'screen-256color');
  assert.equal(t.status, 0, t.stdout);
  assert.match(t.stdout, /term=screen-256color/);
  const own = underTerminal(['exec', '-t', '-e', 'TERM=vt100', 'term', 'sh', '-c', 'echo "term=$TERM"'], 'screen-256color');
  assert.match(own.stdout, /term=vt100/);
  const plain = sb.cli(['exec', 'term', 'sh', '-c', 'echo "term=${TERM-unset}"']);
  assert.equal(plain.stdout.trim(), 'term=unset');
  const run = underTerminal(['run', '--rm', '-t', 'host', 'sh', '-c', 'echo "term=$TERM"'], 'screen-256color');
  assert.match(run.stdout, /term=xterm/);
});
