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
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { HUTCH, REPO, busyboxRootfsTar, sandbox } from '../integration/helpers.js';
import { REGISTRY_BIN, layer, makeImage, pushImage, startRegistry, tarOf } from '../support/registry.js';
import { startProxy } from '../support/proxy.js';

const missing =
  process.platform !== 'linux'
    ? 'Linux only'
    : process.getuid?.() !== 0
      ? 'needs root'
      : spawnSync('tmux', ['-V']).status !== 0
        ? 'needs tmux'
        : !fs.existsSync(REGISTRY_BIN)
          ? 'needs docker-registry'
          : !fs.existsSync(`${REPO}/dist/hutch.cjs`)
            ? 'needs a build (npm run build)'
            : false;
// In CI a missing prerequisite fails instead of skipping.
if (process.env.CI && missing) throw new Error(`dashboard images e2e cannot run in CI: ${missing}`);

const tmuxDir = () => path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`);

test('images view: pull from a registry with live progress, cancel and resume, then delete an image in use (conflict, then force)', { skip: missing, timeout: 120_000 }, async () => {
  const reg = await startRegistry();
  const proxy = await startProxy(reg.url, { blobRate: 1024 * 1024 });
  const sb = await sandbox();
  const socket = `hutch-test-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const screen = () => tmux('capture-pane', '-p', '-t', 'dash');
  const until = async (what: string, cond: RegExp | ((s: string) => boolean), ms = 20_000): Promise<string> => {
    const end = Date.now() + ms;
    for (;;) {
      const s = screen();
      if (typeof cond === 'function' ? cond(s) : cond.test(s)) return s;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    // busybox (runnable, so a container can be made of it) and 4 MiB of noise: ~4 s through the proxy.
    const img = makeImage([layer(fs.readFileSync(busyboxRootfsTar()), true), layer(tarOf({ 'noise.bin': randomBytes(4 * 1024 * 1024) }))]);
    await pushImage(reg.url, 'demo/app', '1', img);
    const ref = `${proxy.host}/demo/app:1`;

    const cmd = [
      'env -u CI -u CONTINUOUS_INTEGRATION',
      `HUTCH_ROOT=${sb.root}`,
      `HUTCH_CGROUP_PARENT=${sb.cgroupParent}`,
      `XDG_CONFIG_HOME=${sb.root}/config`,
      `${JSON.stringify(process.execPath)} ${JSON.stringify(HUTCH)}`,
      '; echo "hutch exited: $?"; sleep 3600',
    ].join(' ');
    tmux('new-session', '-d', '-s', 'dash', '-x', '120', '-y', '30', cmd);
    await until('the dashboard', /No containers yet\./);
    tmux('send-keys', '-t', 'dash', 'i');
    await until('the images view', /REPOSITORY +TAG +IMAGE ID/);
    tmux('send-keys', '-t', 'dash', 'p');
    await until('the pull prompt', /pull image: ▏/);
    tmux('send-keys', '-t', 'dash', '-l', '--', `--insecure ${ref}`);
    tmux('send-keys', '-t', 'dash', 'Enter');

    // The overall bar and the big layer's bar, moving.
    const overall = new RegExp(`pull ${ref.replace(/[.]/g, '\\.')} +█*░+ +(\\d+)%`);
    const pct = (s: string) => Number(overall.exec(s)?.[1] ?? -1);
    const big = /downloading +█*░+ +([\d.]+)([BKM])\/4M/;
    const first = await until('the pull under way', (s) => pct(s) >= 0 && big.test(s));
    await until('the bar to advance', (s) => pct(s) > pct(first));

    // x cancels it; pulling again goes on from the bytes already here.
    tmux('send-keys', '-t', 'dash', 'x');
    await until('the pull cancelled', /pull of \S+demo\/app:1 cancelled \(pulling it again resumes\)/);
    const fetched = proxy.blobBytes();
    tmux('send-keys', '-t', 'dash', 'p');
    await until('the pull prompt again', /pull image: ▏/);
    tmux('send-keys', '-t', 'dash', '-l', '--', `--insecure ${ref}`);
    tmux('send-keys', '-t', 'dash', 'Enter');
    await until('the second pull under way', (s) => pct(s) >= 0);

    // Elsewhere, the status line follows the pull.
    tmux('send-keys', '-t', 'dash', 'Escape');
    await until('the pull in the status line', new RegExp(`pulling ${ref.replace(/[.]/g, '\\.')} \\d+%`));
    tmux('send-keys', '-t', 'dash', 'i');
    const done = await until('the pull to finish', /pulled \S+demo\/app:1 \(/, 30_000);
    assert.doesNotMatch(done, /pulling /);
    // Resumed, not started over: the image's bytes crossed the proxy once (give or take
    // the pieces in flight at the cancel), not once plus the part fetched before it.
    const imageBytes = img.config.length + img.layers.reduce((n, l) => n + l.blob.length, 0);
    assert.ok(fetched > 100_000, `${fetched} bytes before the cancel`);
    assert.ok(proxy.blobBytes() < imageBytes + fetched / 2, `${proxy.blobBytes()} bytes in all for ${imageBytes}, ${fetched} before the cancel`);
    await until('the new row, selected', /› \S+demo\/app +1 +[0-9a-f]{12}/);

    // A container of it: deleting asks, the engine refuses, forcing deletes it.
    const create = sb.cli(['create', '--name', 'user1', ref]);
    assert.equal(create.status, 0, create.stderr);
    await until('the container counted', /› \S+demo\/app +1 +[0-9a-f]{12} .* 1 +2\s*$/m);
    tmux('send-keys', '-t', 'dash', 'd');
    await until('the question', /Delete image \S+demo\/app:1 \(used by container user1\)\? y\/N/);
    tmux('send-keys', '-t', 'dash', 'y');
    await until('the conflict', /Force-delete \S+demo\/app:1\? y\/N · conflict: unable to remove repository reference/);
    tmux('send-keys', '-t', 'dash', 'y');
    await until('the image deleted', /Untagged: \S+demo\/app:1 · Deleted: [0-9a-f]{12}/);
    assert.doesNotMatch(screen(), /demo\/app +1 /);

    tmux('send-keys', '-t', 'dash', 'q');
    assert.match(await until('hutch to exit', /hutch exited: /), /hutch exited: 0/);
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    fs.rmSync(path.join(tmuxDir(), socket), { force: true });
    await sb.cleanup();
    await proxy.close();
    await reg.stop();
  }
});
