// volume ls and network ls: --format and --filter against the fake engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine } from '../support/fake-engine.js';
import { cli } from '../support/cli-inproc.js';

async function withVolumes(): Promise<FakeEngine> {
  const e = new FakeEngine();
  await cli(['volume', 'create', '--label', 'team=web', '--label', 'tier=front', 'data'], e);
  await cli(['volume', 'create', '--label', 'team=db', 'pg'], e);
  await cli(['run', '-d', '--name', 'db', '-v', 'pg:/var/lib/pg', 'host', 'sleep', '1'], e);
  return e;
}

test('volume ls --format: placeholders, table, json', async () => {
  const e = await withVolumes();
  assert.equal((await cli(['volume', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}} {{.Label "team"}}'], e)).out,
    'data local local team=web,tier=front web\npg local local team=db db\n');
  assert.equal((await cli(['volume', 'ls', '--format', 'table {{.Name}}\\t{{.Label "team"}}'], e)).out,
    'VOLUME NAME   team\ndata          web\npg            db\n');
  const [j] = (await cli(['volume', 'ls', '--format', 'json', '--filter', 'name=data'], e)).out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(Object.keys(j), ['Availability', 'Driver', 'Group', 'Labels', 'Links', 'Mountpoint', 'Name', 'Scope', 'Size', 'Status']);
  assert.deepEqual([j.Name, j.Labels, j.Links, j.Size], ['data', 'team=web,tier=front', 'N/A', 'N/A']);
  assert.match(j.Mountpoint, /\/volumes\/data\/_data$/);
  assert.equal((await cli(['volume', 'ls', '--format', 'table'], e)).out, (await cli(['volume', 'ls'], e)).out);
  const bad = await cli(['volume', 'ls', '--format', '{{.Name'], e);
  assert.deepEqual([bad.code, bad.out, bad.err], [125, '', 'hutch: template parsing error: template: :1: unclosed action\n']);
});

test('volume ls --filter: dangling, label (every one), name, driver; unknown key is one line', async () => {
  const e = await withVolumes();
  const names = async (...f: string[]) => (await cli(['volume', 'ls', '-q', ...f.flatMap((x) => ['--filter', x])], e)).out.trim().split('\n').filter(Boolean);
  assert.deepEqual(await names('dangling=true'), ['data']);
  assert.deepEqual(await names('dangling=false'), ['pg']);
  assert.deepEqual(await names('label=team'), ['data', 'pg']);
  assert.deepEqual(await names('label=team', 'label=tier=front'), ['data']);
  assert.deepEqual(await names('name=p'), ['pg']);
  assert.deepEqual(await names('name=data', 'name=pg'), ['data', 'pg']);
  assert.deepEqual(await names('name=data', 'dangling=false'), []);
  assert.deepEqual(await names('driver=local'), ['data', 'pg']);
  assert.deepEqual(await names('driver=nfs'), []);
  for (const [f, err] of [['nope=1', "hutch: invalid filter 'nope'\n"], ['dangling=x', "hutch: invalid filter 'dangling=x'\n"]]) {
    const r = await cli(['volume', 'ls', '--filter', f], e);
    assert.deepEqual([r.code, r.out, r.err], [125, '', err]);
  }
});

async function withNetworks(): Promise<FakeEngine> {
  const e = new FakeEngine();
  await cli(['network', 'create', '--subnet', '10.90.0.0/24', '--label', 'team=web', '--internal', 'app'], e);
  await cli(['network', 'create', '--subnet', '10.91.0.0/24', 'backend'], e);
  return e;
}

test('network ls --format and --filter (name, id, label, driver, type, scope)', async () => {
  const e = await withNetworks();
  const nets = await e.networks();
  const app = nets.find((n) => n.name === 'app')!;
  assert.equal((await cli(['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}} {{.Internal}} {{.Labels}} {{.Subnet}}', '--filter', 'name=app'], e)).out,
    'app bridge local true team=web 10.90.0.0/24\n');
  assert.equal((await cli(['network', 'ls', '--format', 'table {{.ID}}\\t{{.Name}}', '--filter', 'label=team=web'], e)).out,
    `NETWORK ID     NAME\n${app.id.slice(0, 12)}   app\n`);
  assert.equal((await cli(['network', 'ls', '--no-trunc', '--format', '{{.ID}}', '--filter', `id=${app.id.slice(0, 6)}`], e)).out, `${app.id}\n`);
  const [j] = (await cli(['network', 'ls', '--format', 'json', '--filter', 'name=backend'], e)).out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(Object.keys(j), ['CreatedAt', 'Driver', 'ID', 'IPv4', 'IPv6', 'Internal', 'Labels', 'Name', 'Scope', 'Subnet']);
  assert.deepEqual([j.Name, j.Internal, j.IPv6, j.Labels], ['backend', 'false', 'false', '']);
  const names = async (...f: string[]) => (await cli(['network', 'ls', '--format', '{{.Name}}', ...f.flatMap((x) => ['--filter', x])], e)).out.trim().split('\n').filter(Boolean).sort();
  const all = (await e.networks()).map((n) => n.name).sort();
  assert.deepEqual(await names('name=app', 'name=backend'), ['app', 'backend']);
  assert.deepEqual(await names('name=app', 'label=team'), ['app']);
  assert.deepEqual(await names('name=backend', 'label=team'), []);
  assert.deepEqual(await names('driver=bridge'), all);
  assert.deepEqual(await names('type=custom'), ['app', 'backend']);
  assert.deepEqual(await names('type=builtin'), all.filter((n) => n !== 'app' && n !== 'backend'));
  assert.deepEqual(await names('scope=swarm'), []);
  for (const [f, err] of [['nope=1', "hutch: invalid filter 'nope'\n"], ['type=odd', "hutch: invalid filter 'type=odd'\n"]]) {
    const r = await cli(['network', 'ls', '--filter', f], e);
    assert.deepEqual([r.code, r.out, r.err], [125, '', err]);
  }
});
