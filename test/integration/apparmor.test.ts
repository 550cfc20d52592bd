// AppArmor: the monitor asks the kernel for config.json's process.apparmorProfile at
// execve and fails closed when it cannot have it; where the kernel has AppArmor, a
// container runs under hutch-default (docker-default's rules), `apparmor=unconfined`
// and --privileged under none.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sandbox, runToEnd, type Sandbox } from './helpers.js';

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb?.cleanup();
});

const enabled = (() => {
  try {
    return fs.readFileSync('/sys/module/apparmor/parameters/enabled', 'utf8').trim() === 'Y';
  } catch {
    return false;
  }
})();

test('a profile the kernel cannot give is a failed start naming it, never an unconfined container', async () => {
  const c = await sb.engine.create({ image: 'host', cmd: ['true'], network: 'none' });
  const cfgPath = path.join(c.bundle, 'config.json');
  const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
  cfg.process.apparmorProfile = 'hutch-test-no-such-profile';
  fs.writeFileSync(cfgPath, JSON.stringify(cfg));
  await assert.rejects(sb.engine.start(c.id), (e: Error) => /container setup failed: apparmor hutch-test-no-such-profile: E[A-Z]+ \(/.test(e.message) && !e.message.includes('\n'));
  await sb.engine.remove(c.id, { force: true });
});

test('where AppArmor is off, nothing is applied and nothing is said; where it is on, hutch-default', async () => {
  // Without any LSM the kernel has no current label to read (EINVAL).
  const cmd = enabled ? ['cat', '/proc/self/attr/current'] : ['true'];
  const r = await runToEnd(sb.engine, cmd, { network: 'none' });
  const u = await runToEnd(sb.engine, cmd, { network: 'none', securityOpt: ['apparmor=unconfined'], apparmor: 'unconfined' });
  const cfg = JSON.parse(fs.readFileSync(path.join(r.info.bundle, 'config.json'), 'utf8'));
  if (enabled) {
    assert.equal(r.out.trim(), 'hutch-default (enforce)');
    assert.equal(cfg.process.apparmorProfile, 'hutch-default');
    assert.equal(r.info.apparmorProfile, 'hutch-default');
    assert.equal(u.out.trim(), 'unconfined');
  } else {
    assert.equal(r.exitCode, 0, r.out);
    assert.equal(cfg.process.apparmorProfile, undefined);
    assert.equal(r.info.apparmorProfile, undefined);
    assert.equal(u.exitCode, 0, u.out);
  }
  for (const x of [r, u]) await sb.engine.remove(x.id);
});
