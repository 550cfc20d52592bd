// `hutch inspect` in docker's shape, against the fake engine (which builds its records
// with the engine's own dockerContainer): every object type, --type, -f, and missing names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine } from '../support/fake-engine.js';
import { cli } from '../support/cli-inproc.js';

async function fixture(): Promise<FakeEngine> {
  const e = new FakeEngine();
  assert.equal((await cli(['network', 'create', '--subnet', '10.90.0.0/24', 'app'], e)).code, 0);
  const run = await cli(
    ['run', '-d', '--name', 'web', '-p', '8080:80', '-p', '127.0.0.1::53/udp', '-e', 'A=1', '-v', 'data:/data:ro', '-v', '/anon', '--tmpfs', '/t', '-h', 'box', '-w', '/srv', '-m', '64m', '--cpus', '1.5', '--pids-limit', '50', '--cap-add', 'NET_ADMIN', '--init', '--sysctl', 'net.ipv4.ip_forward=1', '--ulimit', 'nofile=100:200', '--stop-signal', 'SIGHUP', '--stop-timeout', '3', '--label', 'team=web', '--entrypoint', 'sleep', 'host', '100'],
    e,
  );
  assert.equal(run.code, 0, run.err);
  assert.equal((await cli(['create', '--name', 'onapp', '--network', 'app', '--network-alias', 'db', '--ip', '10.90.0.9', 'host', 'true'], e)).code, 0);
  assert.equal((await cli(['create', '--name', 'hostnet', '--network', 'host', 'host', 'true'], e)).code, 0);
  return e;
}

test('a container in docker shape: State, Config, HostConfig, Mounts, NetworkSettings, Hutch', async () => {
  const e = await fixture();
  const r = await cli(['inspect', 'web'], e);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^\[\n {2}\{\n {4}"Id": "/, 'a JSON array with 2-space indent');
  const [c] = JSON.parse(r.out);
  const info = e.containers.find((x) => x.name === 'web')!;
  assert.deepEqual(
    Object.keys(c),
    ['Id', 'Created', 'Path', 'Args', 'State', 'Image', 'ResolvConfPath', 'HostnamePath', 'HostsPath', 'LogPath', 'Name', 'RestartCount', 'Driver', 'Platform', 'MountLabel', 'ProcessLabel', 'AppArmorProfile', 'ExecIDs', 'HostConfig', 'GraphDriver', 'Mounts', 'Config', 'NetworkSettings', 'Hutch'],
  );
  assert.equal(c.Id, info.id);
  assert.equal(c.Name, '/web');
  assert.deepEqual([c.Path, c.Args], ['sleep', ['100']]);
  assert.equal(c.Image, 'sha256:' + 'ab'.repeat(32), 'the image id');
  assert.deepEqual([c.RestartCount, c.Driver, c.Platform], [0, 'overlay', 'linux']);
  const s = c.State;
  assert.deepEqual(Object.keys(s), ['Status', 'Running', 'Paused', 'Restarting', 'OOMKilled', 'Dead', 'Pid', 'ExitCode', 'Error', 'StartedAt', 'FinishedAt']);
  assert.deepEqual({ ...s, StartedAt: undefined }, { Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: info.pid, ExitCode: 0, Error: '', StartedAt: undefined, FinishedAt: '0001-01-01T00:00:00Z' });
  assert.equal(s.StartedAt, info.startedAt);

  const cfg = c.Config;
  assert.equal(cfg.Hostname, 'box');
  assert.equal(cfg.Image, 'host');
  assert.deepEqual([cfg.Entrypoint, cfg.Cmd, cfg.WorkingDir, cfg.User], [['sleep'], ['100'], '/srv', '']);
  assert.deepEqual(cfg.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1']);
  assert.deepEqual(cfg.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(cfg.Volumes, { '/anon': {} });
  assert.deepEqual([cfg.StopSignal, cfg.StopTimeout, cfg.Tty, cfg.OpenStdin, cfg.Labels], ['SIGHUP', 3, false, false, { team: 'web' }]);

  for (const k of ['Hostname', 'Domainname', 'User', 'Tty', 'OpenStdin', 'StdinOnce', 'Env', 'Cmd', 'Image', 'Volumes', 'WorkingDir', 'Entrypoint', 'OnBuild', 'Labels', 'ExposedPorts', 'StopSignal', 'StopTimeout']) assert.ok(k in cfg, `Config.${k}`);
  for (const k of ['Binds', 'NetworkMode', 'PortBindings', 'RestartPolicy', 'AutoRemove', 'CapAdd', 'CapDrop', 'Privileged', 'ReadonlyRootfs', 'SecurityOpt', 'Memory', 'NanoCpus', 'CpuShares', 'PidsLimit', 'Devices', 'Ulimits', 'Sysctls', 'OomScoreAdj', 'Init', 'GroupAdd', 'ShmSize', 'Tmpfs', 'UsernsMode', 'Dns', 'DnsSearch', 'DnsOptions', 'ExtraHosts', 'VolumesFrom', 'MemorySwap', 'LogConfig'])
    assert.ok(k in c.HostConfig, `HostConfig.${k}`);
  for (const k of ['Networks', 'Ports', 'IPAddress', 'IPPrefixLen', 'Gateway', 'MacAddress', 'EndpointID', 'SandboxKey']) assert.ok(k in c.NetworkSettings, `NetworkSettings.${k}`);
  for (const k of ['IPAddress', 'IPPrefixLen', 'Gateway', 'MacAddress', 'Aliases', 'NetworkID', 'EndpointID', 'DNSNames']) assert.ok(k in c.NetworkSettings.Networks.bridge, `Networks.bridge.${k}`);
  const h = c.HostConfig;
  assert.deepEqual(h.Binds, ['data:/data:ro']);
  assert.equal(h.NetworkMode, 'bridge');
  assert.deepEqual(h.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  assert.deepEqual(h.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual([h.AutoRemove, h.Privileged, h.ReadonlyRootfs, h.CapAdd, h.CapDrop, h.SecurityOpt], [false, false, false, ['CAP_NET_ADMIN'], null, null]);
  assert.deepEqual([h.Memory, h.MemorySwap, h.NanoCpus, h.PidsLimit, h.CpuShares, h.ShmSize], [64 * 1024 * 1024, 64 * 1024 * 1024, 1.5e9, 50, 0, 64 * 1024 * 1024]);
  assert.deepEqual([h.Init, h.Sysctls, h.Ulimits, h.Tmpfs, h.Devices, h.UsernsMode, h.OomScoreAdj, h.GroupAdd], [true, { 'net.ipv4.ip_forward': '1' }, [{ Name: 'nofile', Hard: 200, Soft: 100 }], { '/t': '' }, [], '', 0, null]);

  assert.deepEqual(
    c.Mounts.map((m: Record<string, unknown>) => [m.Type, m.Name, m.Destination, m.Driver, m.Mode, m.RW]),
    [['volume', 'data', '/data', 'local', 'ro', false], ['volume', c.Mounts[1].Name, '/anon', 'local', '', true], ['tmpfs', undefined, '/t', undefined, '', true]],
  );

  const ns = c.NetworkSettings;
  assert.deepEqual(ns.Ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '49153' }] });
  const bridge = ns.Networks.bridge;
  assert.deepEqual(Object.keys(ns.Networks), ['bridge']);
  assert.equal(bridge.IPAddress, info.endpoints![0].ipAddress);
  assert.equal(bridge.IPPrefixLen, 16);
  assert.equal(bridge.Gateway, '10.77.0.1');
  assert.match(bridge.MacAddress, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  assert.match(bridge.EndpointID, /^[0-9a-f]{64}$/);
  assert.equal(bridge.NetworkID, info.endpoints![0].networkId);
  assert.equal(bridge.Aliases, null);
  assert.deepEqual([ns.IPAddress, ns.Gateway, ns.IPPrefixLen, ns.MacAddress], [bridge.IPAddress, bridge.Gateway, 16, bridge.MacAddress], 'the default bridge also at the top');

  assert.deepEqual(Object.keys(c.Hutch), ['bundle', 'monitorPid', 'cgroupPaths', 'endpoints', 'spec']);
  assert.equal(c.Hutch.monitorPid, info.monitorPid);
  assert.equal(c.Hutch.spec.init, true);
});

test('a user network container, a host network one, a stopped one', async () => {
  const e = await fixture();
  const [onapp, hostnet] = JSON.parse((await cli(['inspect', 'onapp', 'hostnet'], e)).out);
  assert.equal(onapp.State.Status, 'created');
  assert.equal(onapp.State.StartedAt, '0001-01-01T00:00:00Z');
  assert.equal(onapp.HostConfig.NetworkMode, 'app');
  assert.deepEqual([onapp.NetworkSettings.Networks.app.IPAddress, onapp.NetworkSettings.Networks.app.Aliases], ['10.90.0.9', ['db']]);
  assert.deepEqual(onapp.NetworkSettings.Networks.app.DNSNames, ['onapp', 'db'], "the fake's endpoint names");
  assert.equal(onapp.NetworkSettings.IPAddress, '', "docker's top-level address is the default bridge's only");
  assert.deepEqual([onapp.Config.Entrypoint, onapp.Config.Cmd, onapp.Path, onapp.Args], [null, ['true'], 'true', []]);
  assert.deepEqual(Object.keys(hostnet.NetworkSettings.Networks), ['host']);
  assert.equal(hostnet.HostsPath, '');
  assert.equal(hostnet.ResolvConfPath, '');
  await e.pause('web');
  const web0 = e.containers.find((x) => x.name === 'web')!;
  web0.spec = { ...web0.spec, restartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 }, cpuShares: 512, memorySwap: -1 };
  const [paused] = JSON.parse((await cli(['inspect', 'web'], e)).out);
  assert.deepEqual([paused.State.Status, paused.State.Running, paused.State.Paused], ['paused', true, true]);
  assert.deepEqual([paused.HostConfig.RestartPolicy, paused.HostConfig.CpuShares, paused.HostConfig.MemorySwap], [{ Name: 'on-failure', MaximumRetryCount: 3 }, 512, -1]);
  await e.unpause('web');
  await cli(['stop', 'web'], e);
  Object.assign(web0, { restarting: true, restartCount: 2 });
  const [waiting] = JSON.parse((await cli(['inspect', 'web'], e)).out);
  assert.deepEqual([waiting.State.Status, waiting.State.Running, waiting.State.Restarting, waiting.State.Pid, waiting.RestartCount], ['restarting', true, true, 0, 2], 'waiting out its restart delay');
  delete web0.restarting;
  const [web] = JSON.parse((await cli(['inspect', 'web'], e)).out);
  assert.deepEqual([web.State.Status, web.State.Running, web.State.ExitCode, web.State.Pid], ['exited', false, 143, 0]);
  assert.notEqual(web.State.FinishedAt, '0001-01-01T00:00:00Z');
});

test('-f renders a template per object: .State.Status, a network address, json', async () => {
  const e = await fixture();
  const info = e.containers.find((x) => x.name === 'web')!;
  let r = await cli(['inspect', '-f', '{{.State.Status}}', 'web', 'onapp'], e);
  assert.deepEqual([r.code, r.out], [0, 'running\ncreated\n']);
  r = await cli(['inspect', '--format', '{{.NetworkSettings.Networks.bridge.IPAddress}}', 'web'], e);
  assert.equal(r.out, `${info.endpoints![0].ipAddress}\n`);
  r = await cli(['inspect', '-f', '{{.Name}} {{json .Config.Cmd}} {{.State.Running}} {{.Nope}}', 'web'], e);
  assert.equal(r.out, '/web ["100"] true <no value>\n');
  r = await cli(['inspect', '-f', '{{.Driver}}', 'app'], e);
  assert.equal(r.out, 'bridge\n', 'a network, through the same -f');
  r = await cli(['inspect', '-f', '{{.State.Status', 'web'], e);
  assert.equal(r.code, 125);
  assert.match(r.err, /^hutch: template: :1: .*\n$/);
  assert.equal(r.out, '', 'a bad template prints nothing');
  r = await cli(['inspect', '-f', '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}} {{join .Args ","}} {{.HostConfig.Binds}} {{.HostConfig.Memory}}', 'web'], e);
  assert.equal(r.out, 'team=web; 100 [data:/data:ro] 67108864\n');
});

test('a name is a container, else an image, a network, a volume; --type picks one', async () => {
  const e = await fixture();
  await cli(['volume', 'create', 'app'], e);
  const img = JSON.parse((await cli(['inspect', 'host'], e)).out)[0];
  assert.equal(img.Id, 'sha256:' + 'ab'.repeat(32));
  for (const k of ['Id', 'RepoTags', 'RepoDigests', 'Created', 'Author', 'Config', 'Architecture', 'Os', 'Size', 'RootFS', 'Metadata']) assert.ok(k in img, `image ${k}`);
  const net = JSON.parse((await cli(['inspect', 'app'], e)).out)[0];
  assert.deepEqual([net.Name, net.Driver, net.IPAM.Config], ['app', 'bridge', [{ Subnet: '10.90.0.0/24', Gateway: '10.90.0.1' }]], 'the network before the volume of that name');
  assert.deepEqual(Object.keys(net.Containers[e.containers.find((x) => x.name === 'onapp')!.id]), ['Name', 'EndpointID', 'MacAddress', 'IPv4Address', 'IPv6Address']);
  assert.deepEqual(Object.keys(net), ['Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels']);
  assert.deepEqual([net.IPAM.Options, net.Options['com.docker.network.bridge.default_bridge']], [{}, undefined]);
  const br = JSON.parse((await cli(['network', 'inspect', 'bridge'], e)).out)[0];
  assert.deepEqual([br.IPAM.Options, br.Options['com.docker.network.bridge.default_bridge']], [null, 'true'], "the default network as docker's own");
  const vol = JSON.parse((await cli(['inspect', '--type', 'volume', 'app'], e)).out)[0];
  assert.deepEqual(Object.keys(vol), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
  assert.equal(vol.Name, 'app');
  const data = JSON.parse((await cli(['inspect', 'data'], e)).out)[0];
  assert.equal(data.Mountpoint, '/nonexistent/volumes/data/_data');

  assert.equal((await cli(['network', 'inspect', '-f', '{{.Name}} {{.IPAM.Driver}}', 'app'], e)).out, 'app default\n');
  assert.equal((await cli(['volume', 'inspect', '--format', '{{.Name}} {{.Driver}}', 'app', 'data'], e)).out, 'app local\ndata local\n');
  assert.equal((await cli(['image', 'inspect', '-f', '{{.Id}}', 'host'], e)).out, `sha256:${'ab'.repeat(32)}\n`);
  const gone = await cli(['volume', 'inspect', '-f', '{{.Name}}', 'app', 'nope'], e);
  assert.deepEqual([gone.code, gone.out], [1, 'app\n'], 'what was found, and status 1');
  const noCtr = await cli(['inspect', '--type', 'container', 'app'], e);
  assert.deepEqual([noCtr.code, noCtr.out, noCtr.err], [1, '[]\n', 'Error: No such container: app\n']);
  const ci = await cli(['container', 'inspect', '-f', '{{.Name}}', 'web', 'app'], e);
  assert.deepEqual([ci.code, ci.out, ci.err], [1, '/web\n', 'Error: No such container: app\n'], 'container inspect: containers only');
  e.containerSizes.set(e.containers.find((x) => x.name === 'web')!.id, 4096);
  const sized = JSON.parse((await cli(['inspect', '-s', 'web'], e)).out)[0];
  assert.deepEqual([sized.SizeRw, sized.SizeRootFs], [4096, 4096 + (e.imageList.find((i) => i.name === 'host')!.size)]);
  assert.deepEqual(Object.keys(sized).slice(Object.keys(sized).indexOf('GraphDriver'), Object.keys(sized).indexOf('GraphDriver') + 4), ['GraphDriver', 'SizeRw', 'SizeRootFs', 'Mounts']);
  assert.equal((await cli(['container', 'inspect', '--size', '-f', '{{.SizeRw}}', 'web'], e)).out, '4096\n');
  assert.ok(!('SizeRw' in JSON.parse((await cli(['inspect', 'web'], e)).out)[0]), 'only with -s');
  const before = e.calls.length;
  const bad = await cli(['inspect', '--type', 'pod', 'web'], e);
  assert.equal(bad.code, 125);
  assert.equal(bad.err, `hutch: "pod" is not a valid value for --type (see 'hutch inspect --help')\n`);
  assert.equal(e.calls.length, before, 'a bad --type looks nothing up');
});

test('a missing object: docker\'s line, exit 1, the others still printed', async () => {
  const e = await fixture();
  const one = await cli(['inspect', 'nope'], e);
  assert.deepEqual([one.code, one.out, one.err], [1, '[]\n', 'Error: No such object: nope\n']);
  const upper = await cli(['inspect', 'NOPE'], e);
  assert.deepEqual([upper.code, upper.err], [1, 'Error: No such object: NOPE\n'], 'no valid image name: no image either');
  const some = await cli(['inspect', 'web', 'nope', 'onapp'], e);
  assert.equal(some.code, 1);
  assert.deepEqual(JSON.parse(some.out).map((x: { Name: string }) => x.Name), ['/web', '/onapp']);
  assert.equal(some.err, 'Error: No such object: nope\n');
  const f = await cli(['inspect', '-f', '{{.Id}}', 'nope', 'web'], e);
  assert.deepEqual([f.code, f.out, f.err], [1, `${e.containers.find((x) => x.name === 'web')!.id}\n`, 'Error: No such object: nope\n']);
});
