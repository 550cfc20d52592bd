// The images view end to end: `node bin/hutch.cjs` in tmux against the real
// engine and Debian's docker-registry on 127.0.0.1 behind a throttling proxy (so
// the pull takes a few seconds): pull with `p`, cancel with `x`, pull again (it
// resumes), watch the bar advance here and in the status line of another view,
// then delete the image a container uses (the
// engine's conflict, then the forced delete). Own tmux server, state root, cgroup
// parent, registry and proxy, all removed at the end. Needs root, tmux, a build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { busyboxRootfsTar } from '../integration/helpers.js';
import { REGISTRY_BIN, layer, makeImage, pushImage, startRegistry, tarOf } from '../support/registry.js';
import { startProxy } from '../support/proxy.js';
import { HUTCH_THEN_STATUS, missing, sandboxEnv, withSandbox } from './tmux.js';

const skip = missing('dashboard images e2e', { 'needs docker-registry': fs.existsSync(REGISTRY_BIN) });

test('images view: pull from a registry with live progress, cancel and resume, then delete an image in use (conflict, then force)', { skip, timeout: 120_000 }, async () => {
  const reg = await startRegistry();
  const proxy = await startProxy(reg.url, { blobRate: 1024 * 1024 });
  try {
    await withSandbox(async (tm, sb) => {
      // busybox (runnable, so a container can be made of it) and 4 MiB of noise: ~4 s through the proxy.
      const img = makeImage([layer(fs.readFileSync(busyboxRootfsTar()), true), layer(tarOf({ 'noise.bin': randomBytes(4 * 1024 * 1024) }))]);
      await pushImage(reg.url, 'demo/app', '1', img);
      const ref = `${proxy.host}/demo/app:1`;

      tm.start({ command: HUTCH_THEN_STATUS, env: sandboxEnv(sb), width: 120, height: 30 });
      await tm.until('the dashboard', /No containers yet\./);
      tm.keys('i');
      await tm.until('the images view', /REPOSITORY +TAG +IMAGE ID/);
      tm.keys('p');
      await tm.until('the pull prompt', /pull image: ▏/);
      tm.type(`--insecure ${ref}`);
      tm.keys('Enter');

      // The overall bar and the big layer's bar, moving.
      const overall = new RegExp(`pull ${ref.replace(/[.]/g, '\\.')} +█*░+ +(\\d+)%`);
      const pct = (s: string) => Number(overall.exec(s)?.[1] ?? -1);
      const big = /downloading +█*░+ +([\d.]+)([BKM])\/4M/;
      const first = await tm.until('the pull under way', (s) => pct(s) >= 0 && big.test(s));
      await tm.until('the bar to advance', (s) => pct(s) > pct(first));

      // x cancels it; pulling again goes on from the bytes already here.
      tm.keys('x');
      await tm.until('the pull cancelled', /pull of \S+demo\/app:1 cancelled \(pulling it again resumes\)/);
      const fetched = proxy.blobBytes();
      tm.keys('p');
      await tm.until('the pull prompt again', /pull image: ▏/);
      tm.type(`--insecure ${ref}`);
      tm.keys('Enter');
      await tm.until('the second pull under way', (s) => pct(s) >= 0);

      // Elsewhere, the status line follows the pull.
      tm.keys('Escape');
      await tm.until('the pull in the status line', new RegExp(`pulling ${ref.replace(/[.]/g, '\\.')} \\d+%`));
      tm.keys('i');
      const done = await tm.until('the pull to finish', /pulled \S+demo\/app:1 \(/, 30_000);
      assert.doesNotMatch(done, /pulling /);
      // Resumed, not started over: the image's bytes crossed the proxy once (give or take
      // the pieces in flight at the cancel), not once plus the part fetched before it.
      const imageBytes = img.config.length + img.layers.reduce((n, l) => n + l.blob.length, 0);
      assert.ok(fetched > 100_000, `${fetched} bytes before the cancel`);
      assert.ok(proxy.blobBytes() < imageBytes + fetched / 2, `${proxy.blobBytes()} bytes in all for ${imageBytes}, ${fetched} before the cancel`);
      await tm.until('the new row, selected', /› \S+demo\/app +1 +[0-9a-f]{12}/);

      // A container of it: deleting asks, the engine refuses, forcing deletes it.
      const create = sb.cli(['create', '--name', 'user1', ref]);
      assert.equal(create.status, 0, create.stderr);
      await tm.until('the container counted', /› \S+demo\/app +1 +[0-9a-f]{12} .* 1 +2\s*$/m);
      tm.keys('d');
      await tm.until('the question', /Delete image \S+demo\/app:1 \(used by container user1\)\? y\/N/);
      tm.keys('y');
      await tm.until('the conflict', /Force-delete \S+demo\/app:1\? y\/N · conflict: unable to remove repository reference/);
      tm.keys('y');
      await tm.until('the image deleted', /Untagged: \S+demo\/app:1 · Deleted: [0-9a-f]{12}/);
      assert.doesNotMatch(tm.screen(), /demo\/app +1 /);

      tm.keys('q');
      assert.match(await tm.until('hutch to exit', /hutch exited: /), /hutch exited: 0/);
    });
  } finally {
    await proxy.close();
    await reg.stop();
  }
});
