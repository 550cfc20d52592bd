// Which AppArmor profile a container gets (docker's rules), with a fake host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apparmorProfileFor, defaultProfileText, type AppArmorHost } from '../../src/engine/security/apparmor.js';
import { checkApparmor } from '../../src/engine/security/options.js';

function host(enabled: boolean, loaded: string[] = []): AppArmorHost & { loads: string[] } {
  const loads: string[] = [];
  return {
    loads,
    enabled: () => enabled,
    loaded: (n) => loaded.includes(n),
    load: (text) => {
      loads.push(text);
      loaded.push(/^profile (\S+)/m.exec(text)![1]);
    },
  };
}

test('AppArmor off: no profile whatever was asked (docker ignores apparmor= there)', () => {
  for (const spec of [{}, { apparmor: 'custom' }, { privileged: true }]) assert.equal(apparmorProfileFor(spec, host(false)), undefined);
});

test('AppArmor on: hutch-default, loaded once; unconfined and --privileged get none; a custom one must be loaded', () => {
  const h = host(true);
  assert.equal(apparmorProfileFor({}, h), 'hutch-default');
  assert.equal(apparmorProfileFor({}, h), 'hutch-default');
  assert.equal(h.loads.length, 1, 'loaded once');
  assert.equal(apparmorProfileFor({ apparmor: 'unconfined' }, h), undefined);
  assert.equal(apparmorProfileFor({ privileged: true }, h), undefined);
  assert.equal(apparmorProfileFor({ privileged: true, apparmor: 'hutch-default' }, h), 'hutch-default', 'privileged with an explicit profile keeps it (docker)');
  assert.throws(() => apparmorProfileFor({ apparmor: 'mine' }, h), /apparmor profile "mine" is not loaded/);
  assert.equal(apparmorProfileFor({ apparmor: 'mine' }, host(true, ['mine'])), 'mine');
});

test('hutch-default has docker-default\'s rules', () => {
  const t = defaultProfileText();
  for (const rule of ['deny mount,', 'deny @{PROC}/sysrq-trigger rwklx,', 'deny @{PROC}/kcore rwklx,', 'deny /sys/firmware/** rwklx,', 'deny /sys/kernel/security/** rwklx,', 'signal (send,receive) peer=hutch-default,', 'ptrace (trace,read,tracedby,readby) peer=hutch-default,'])
    assert.ok(t.includes(rule), rule);
  assert.match(t, /^profile hutch-default flags=\(attach_disconnected,mediate_deleted\) \{$/m);
});

test('apparmor= values', () => {
  checkApparmor('unconfined');
  checkApparmor('my-profile');
  assert.throws(() => checkApparmor(''), /invalid --security-opt apparmor=""/);
});
