// Networking in the dashboard against the fake engine: the table's NETWORK and
// PORTS columns (wide terminals only), the detail view's addresses and published
// ports, the networks view (list, create through two prompts, delete with a
// confirmation, engine refusals as one status line), and the form's network and
// ports fields.
import './no-ci.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY, setup, waitFor } from './helpers.js';
import { UiFakeEngine } from './fakes.js';
import { parsePublish } from '../../src/engine/network/ports.js';
import type { ContainerInfo } from '../../src/engine/types.js';
import { sameList } from '../../src/ui/list-patch.js';
import { formSpec } from '../../src/ui/form.js';
import type { FormDialog } from '../../src/ui/state.js';

/** web on the default bridge publishing 8080→80 and 5353→53/udp; box on no network. */
async function engineWithNetworks(): Promise<UiFakeEngine> {
  const e = new UiFakeEngine();
  const web = await e.create({ image: 'host', name: 'web', network: 'bridge', ports: [...parsePublish('8080:80'), ...parsePublish('127.0.0.1:5353:53/udp')] });
  await e.start(web.id);
  const box = await e.create({ image: 'host', name: 'box', network: 'none' });
  await e.start(box.id);
  return e;
}

test('wide terminals show NETWORK and PORTS as docker does; narrow ones drop them first', async (t) => {
  const h = await setup({ engine: await engineWithNetworks(), size: { columns: 160, rows: 30 } });
  t.after(h.done);
  await h.see(/NET RX\/TX NETWORK +PORTS/);
  assert.match(h.frame(), /web .* bridge +0\.0\.0\.0:8080->80\/tc…$/m);
  assert.match(h.frame(), /box .* none$/m);
  // Wider still, PORTS grows to show both.
  const wide = await setup({ engine: await engineWithNetworks(), size: { columns: 250, rows: 30 } });
  t.after(wide.done);
  await wide.see(/web .* bridge +0\.0\.0\.0:8080->80\/tcp, 127\.0\.0\.1:5353->53\/udp/);

  const narrow = await setup({ engine: await engineWithNetworks(), size: { columns: 100, rows: 30 } });
  t.after(narrow.done);
  await narrow.see(/NAME +STATE/);
  assert.doesNotMatch(narrow.frame(), /NETWORK|PORTS|8080/);
});

test('a new list with other endpoints or ports redraws; the same one keeps the old array', () => {
  const base = { id: 'a', name: 'a', status: 'running', pid: 1, exitCode: null, startedAt: 's', finishedAt: '', oomKilled: false, spec: { image: 'host', network: 'bridge' } };
  const ep = { network: 'bridge', networkId: 'x', ipAddress: '10.77.0.2', prefixLen: 16, gateway: '10.77.0.1', macAddress: 'm', veth: 'v', ifname: 'eth0', bridge: 'b', aliases: [] };
  const c = (p: Partial<ContainerInfo>) => ({ ...base, ...p }) as ContainerInfo;
  const one = c({ endpoints: [ep], ports: parsePublish('8080:80') });
  assert.equal(sameList([one], [c({ endpoints: [{ ...ep }], ports: parsePublish('8080:80') })]), true);
  assert.equal(sameList([one], [c({ endpoints: [{ ...ep }], ports: parsePublish('8081:80') })]), false);
  assert.equal(sameList([one], [c({ endpoints: [{ ...ep, ipAddress: '10.77.0.3' }], ports: parsePublish('8080:80') })]), false);
  assert.equal(sameList([one], [c({ endpoints: [{ ...ep, network: 'back' }], ports: parsePublish('8080:80') })]), false);
});

test('the detail view lists each address (network ip/prefix, gateway, mac) and each published port', async (t) => {
  const h = await setup({ engine: await engineWithNetworks(), size: { columns: 120, rows: 40 } });
  t.after(h.done);
  await h.see('web');
  const web = h.engine.containers.find((c) => c.name === 'web')!;
  h.controller.nav.openDetail(web.id);
  await h.see(/network +bridge/);
  await h.see(/address +10\.77\.0\.\d+\/16 on bridge/);
  assert.match(h.frame(), /gateway +10\.77\.0\.1$/m);
  assert.match(h.frame(), /mac +02:42:00:00:00:00$/m);
  assert.match(h.frame(), /ports +0\.0\.0\.0:8080->80\/tcp/);
  assert.match(h.frame(), / {9}127\.0\.0\.1:5353->53\/udp/);
});

test('w opens the networks view: one row per network with its subnet, gateway and containers; Esc goes back', async (t) => {
  const h = await setup({ engine: await engineWithNetworks(), size: { columns: 100, rows: 30 } });
  t.after(h.done);
  await h.press('w');
  await h.see('Networks  1 network · 1 in use');
  assert.match(h.frame(), /NAME +DRIVER SUBNET +GATEWAY +INTERNAL CONTAINERS/);
  assert.match(h.frame(), /› bridge +bridge 10\.77\.0\.0\/16 +10\.77\.0\.1 +no +1/);
  assert.match(h.frame(), /web 10\.77\.0\.\d+ · bridge hutch0/);
  assert.match(h.frame(), /Esc back {2}n new {2}d delete {2}\? help {2}q quit/);
  await h.press(KEY.escape);
  await h.see(/NAME +STATE/);
  assert.equal(h.controller.store.get().view, 'containers');
});

test('n asks for a name, then a subnet; Enter creates it and selects it; Esc cancels', async (t) => {
  const h = await setup({ engine: await engineWithNetworks(), size: { columns: 100, rows: 30 } });
  t.after(h.done);
  await h.press('w');
  await h.see('Networks  1 network');
  await h.press('n');
  await h.see('new network: ▏');
  await h.press(...'backendx', KEY.backspace, KEY.enter);
  await h.see('subnet of backend: ▏');
  await h.press(...'10.90.0.0/24', KEY.enter);
  await h.see('created network backend (10.90.0.0/24, gateway 10.90.0.1)');
  assert.deepEqual(h.engine.callsOf('createNetwork'), [[{ name: 'backend', subnet: '10.90.0.0/24' }]]);
  await h.see(/› backend +bridge 10\.90\.0\.0\/24 +10\.90\.0\.1 +no +0/);
  await h.see('no container on it');
  // An empty subnet lets the engine pick one.
  await h.press('n', ...'front', KEY.enter, KEY.enter);
  await h.see(/created network front \(10\.78\.\d+\.0\/24/);
  assert.deepEqual(h.engine.callsOf('createNetwork')[1], [{ name: 'front' }]);
  // Esc at either step creates nothing.
  await h.press('n', ...'gone', KEY.escape);
  await h.notSee('new network:');
  await h.press('n', ...'gone', KEY.enter);
  await h.see('subnet of gone: ▏');
  await h.press(KEY.escape);
  await h.notSee('subnet of gone');
  assert.equal(h.engine.callsOf('createNetwork').length, 2);
  // j/k move the selection.
  await h.see(/› front/);
  await h.press('k');
  await h.see(/› bridge/);
});

test('the engine refusing a network (overlapping subnet, bad name) is one status line', async (t) => {
  const h = await setup({ engine: await engineWithNetworks(), size: { columns: 160, rows: 30 } });
  t.after(h.done);
  await h.press('w', 'n', ...'clash', KEY.enter, ...'10.77.1.0/24', KEY.enter);
  await h.see('network create clash: invalid pool request: Pool overlaps with other one on this address space (network bridge, 10.77.0.0/16)');
  await h.press('n', KEY.enter);
  await h.see('network create: type a name, e.g. backend');
  assert.doesNotMatch(h.frame(), /subnet of/);
  assert.match(h.frame(), /Networks {2}1 network/);
});

test('d asks first; an engine refusal ("has active endpoints") is one status line; y deletes an unused one', async (t) => {
  const engine = await engineWithNetworks();
  await engine.createNetwork({ name: 'spare', subnet: '10.91.0.0/24' });
  const h = await setup({ engine, size: { columns: 160, rows: 30 } });
  t.after(h.done);
  await h.press('w');
  await h.see('Networks  2 networks · 1 in use');
  await h.press('d');
  await h.see('Delete network bridge (container web on it)? y/N');
  await h.press('y');
  await h.see(/delete network bridge: error while removing network: network bridge id 010101010101 has active endpoints \(web\)$/m);
  assert.match(h.frame(), /› bridge/);
  await h.press('j', 'd');
  await h.see('Delete network spare? y/N');
  await h.press('n');
  await h.see('cancelled');
  assert.deepEqual(h.engine.callsOf('removeNetwork'), [['bridge']]);
  await h.press('d', 'y');
  await h.see('removed network spare');
  await h.notSee(/spare +bridge/);
  assert.deepEqual(h.engine.callsOf('removeNetwork'), [['bridge'], ['spare']]);
  await h.see('Networks  1 network');
});

test('the help screen lists the networks keys', async (t) => {
  const h = await setup({ size: { columns: 120, rows: 80 } });
  t.after(h.done);
  await h.press('?');
  await h.see(/w +Networks view/);
  assert.match(h.frame(), /Networks view\n +n +Create a network/);
  assert.match(h.frame(), /d +Delete the network \(asks first; refused while a container is on it\)/);
});

function form(v: Partial<FormDialog['values']>): FormDialog {
  return { kind: 'form', focus: 0, values: { image: 'host', name: '', command: '', memory: '', cpus: '', network: '', ports: '', volumes: '', detach: true, ...v } };
}

test('the form: a network, and ports in -p syntax separated by spaces or commas', () => {
  assert.deepEqual(formSpec(form({ network: 'backend' })), { image: 'host', network: 'backend' });
  assert.deepEqual(formSpec(form({ ports: '8080:80, 127.0.0.1:5353:53/udp 9000-9001:90-91' })), {
    image: 'host',
    ports: [
      { hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' },
      { hostIp: '0.0.0.0', hostPort: 9000, containerPort: 90, protocol: 'tcp' },
      { hostIp: '0.0.0.0', hostPort: 9001, containerPort: 91, protocol: 'tcp' },
    ],
  });
  assert.equal(formSpec(form({ network: 'backend', ports: '80' })).network, 'backend');
  assert.throws(() => formSpec(form({ ports: '8080:http' })), /^Error: ports: invalid containerPort: http$/);
  assert.throws(() => formSpec(form({ network: 'host', ports: '80' })), /^Error: ports: none with network host/);
  assert.throws(() => formSpec(form({ network: 'none', ports: '80' })), /^Error: ports: none with network none/);
  assert.throws(() => formSpec(form({ network: 'a b' })), /^Error: network: one network, without spaces/);
});

test('the form creates a container on a network with published ports; a bad port stays in the form', async (t) => {
  const engine = await engineWithNetworks();
  await engine.createNetwork({ name: 'backend' });
  const h = await setup({ engine, size: { columns: 160, rows: 30 } });
  t.after(h.done);
  await h.press('n');
  await h.see('New container');
  assert.match(h.frame(), /Network +optional: bridge \(default\), a network, none, host/);
  assert.match(h.frame(), /Ports +optional, e\.g\. 8080:80 127\.0\.0\.1:53:53\/udp/);
  // Name; past command, memory and CPUs to the network; then the ports.
  await h.press(KEY.tab, ...'api', KEY.tab, KEY.tab, KEY.tab, KEY.tab, ...'backend', KEY.tab, ...'9000:80/sctp', KEY.enter);
  await h.see('ports: invalid proto: sctp');
  assert.equal(h.engine.callsOf('create').length, 2);
  await h.press(...Array(4).fill(KEY.backspace), 'tcp', KEY.enter);
  await waitFor(() => h.engine.callsOf('create').length === 3, 'create');
  assert.deepEqual(h.engine.callsOf('create')[2][0], {
    image: 'host',
    name: 'api',
    network: 'backend',
    ports: [{ hostIp: '0.0.0.0', hostPort: 9000, containerPort: 80, protocol: 'tcp' }],
  });
  await h.see('started api');
  await h.see(/api .* backend +0\.0\.0\.0:9000->80\/tcp/);
});
