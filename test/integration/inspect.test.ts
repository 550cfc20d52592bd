// `hutch inspect` of real objects, as root in the network lab: a container with
// published ports, a named volume, a user network, env and labels reads back in docker's
// shape, matching what the container really has (its address inside, its volume's
// directory, its pid); -f scripts; the image, network and volume of a name; a missing one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { labSuite } from './netns.js';
import { busyboxRootfsTar } from './helpers.js';

const net = labSuite('hutch-inspect-');
const { hutch, ok } = net;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- docker's records, read as JSON
const inspect = (...args: string[]): any[] => JSON.parse(ok('inspect', ...args));

test('a running container: State, Config, HostConfig, Mounts and NetworkSettings say what it has', () => {
  ok('network', 'create', '--subnet', '10.91.3.0/24', 'app');
  ok('volume', 'create', 'data');
  const id = ok('run', '-d', '--name', 'web', '--network', 'app', '--network-alias', 'www', '-p', '8080:80', '-v', 'data:/data', '-e', 'A=1', '--label', 'team=web', '-w', '/data', 'host', 'sleep', '300');
  const [c] = inspect('web');
  assert.equal(c.Id, id);
  assert.equal(c.Name, '/web');
  assert.deepEqual([c.Path, c.Args], ['sleep', ['300']]);
  assert.equal(c.Image, ok('inspect', '-f', '{{.Id}}', 'host'), "the host image's id");
  assert.deepEqual([c.State.Status, c.State.Running, c.State.Paused, c.State.Dead, c.State.ExitCode, c.State.FinishedAt], ['running', true, false, false, 0, '0001-01-01T00:00:00Z']);
  assert.ok(c.State.Pid > 0 && fs.existsSync(`/proc/${c.State.Pid}`), 'its pid is a live process');
  assert.equal(fs.readFileSync(`/proc/${c.State.Pid}/cmdline`, 'utf8'), 'sleep\x00300\x00');
  assert.ok(Date.parse(c.State.StartedAt) >= Date.parse(c.Created));

  assert.deepEqual([c.Config.Image, c.Config.Cmd, c.Config.Entrypoint, c.Config.WorkingDir, c.Config.Labels, c.Config.Hostname], ['host', ['sleep', '300'], null, '/data', { team: 'web' }, id.slice(0, 12)]);
  assert.ok(c.Config.Env.includes('A=1') && c.Config.Env.some((e: string) => e.startsWith('PATH=')), c.Config.Env.join(' '));
  assert.ok(!c.Config.Env.some((e: string) => e.startsWith('HOSTNAME=')), 'HOSTNAME is the runtime\'s, not in Config.Env (docker)');
  // What the process really got: the same values.
  const env = fs.readFileSync(`/proc/${c.State.Pid}/environ`, 'utf8').split('\0');
  for (const e of c.Config.Env) assert.ok(env.includes(e), e);
  assert.deepEqual(c.Config.ExposedPorts, { '80/tcp': {} });

  assert.deepEqual([c.HostConfig.NetworkMode, c.HostConfig.Binds, c.HostConfig.PortBindings], ['app', ['data:/data'], { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }]);
  assert.deepEqual(c.HostConfig.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  assert.equal(c.HostConfig.CgroupnsMode, 'private', 'a cgroup namespace of its own');
  assert.notEqual(fs.readlinkSync(`/proc/${c.State.Pid}/ns/cgroup`), fs.readlinkSync('/proc/self/ns/cgroup'));

  const mountpoint = ok('volume', 'inspect', '-f', '{{.Mountpoint}}', 'data');
  assert.deepEqual(c.Mounts, [{ Type: 'volume', Name: 'data', Source: mountpoint, Destination: '/data', Driver: 'local', Mode: '', RW: true, Propagation: '' }]);

  const ep = c.NetworkSettings.Networks.app;
  assert.deepEqual(Object.keys(c.NetworkSettings.Networks), ['app']);
  const inside = hutch('exec', 'web', 'busybox', 'ip', '-4', '-o', 'addr', 'show', 'eth0').stdout;
  assert.ok(inside.includes(` ${ep.IPAddress}/24 `), `${ep.IPAddress} in: ${inside}`);
  assert.match(hutch('exec', 'web', 'cat', '/sys/class/net/eth0/address').stdout, new RegExp(`^${ep.MacAddress}\n$`));
  assert.deepEqual([ep.IPPrefixLen, ep.Gateway, ep.NetworkID, ep.Aliases], [24, '10.91.3.1', ok('network', 'inspect', '-f', '{{.Id}}', 'app'), ['www']]);
  assert.deepEqual(ep.DNSNames, ['web', id.slice(0, 12), 'www'], 'the names it answers to');
  assert.deepEqual(c.NetworkSettings.Ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
  assert.equal(c.NetworkSettings.IPAddress, '', 'the legacy top-level address is the default bridge\'s only');

  // -s: its own layer's bytes (a file written in its root).
  ok('exec', 'web', 'sh', '-c', 'head -c 200000 /dev/zero > /big');
  const [rw, rootfs] = ok('inspect', '-s', '-f', '{{.SizeRw}} {{.SizeRootFs}}', 'web').split(' ').map(Number);
  assert.ok(rw >= 200000 && rw < 1_000_000 && rootfs >= rw, `${rw} ${rootfs}`);
  // The same endpoint seen from the network.
  const [n] = inspect('app');
  assert.deepEqual(n.Containers[id], { Name: 'web', EndpointID: ep.EndpointID, MacAddress: ep.MacAddress, IPv4Address: `${ep.IPAddress}/24`, IPv6Address: '' });
  assert.ok(fs.existsSync(`${c.Hutch.bundle}/config.json`), "hutch's own fields under Hutch");
  assert.equal(c.Hutch.monitorPid, Number(fs.readFileSync(`/proc/${c.State.Pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]), 'the monitor is the init\'s parent');
});

test('-f scripts: .State.Status, the default bridge address, after a stop', () => {
  ok('run', '-d', '--name', 'plain', 'host', 'sleep', '300');
  const ip = ok('inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', 'plain');
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
  assert.equal(ok('inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'plain'), ip);
  assert.equal(ok('inspect', '-f', '{{.State.Status}} {{.State.Running}}', 'plain'), 'running true');
  ok('stop', '-t', '1', 'plain');
  const [s] = inspect('plain');
  assert.deepEqual([s.State.Status, s.State.Running, s.State.Pid], ['exited', false, 0]);
  assert.ok([137, 143].includes(s.State.ExitCode), String(s.State.ExitCode));
  assert.ok(Date.parse(s.State.FinishedAt) >= Date.parse(s.State.StartedAt));
});

test('a name: container first, then image, network, volume; --type; a missing object', () => {
  ok('volume', 'create', 'lonely');
  assert.equal(inspect('lonely')[0].Mountpoint, ok('volume', 'inspect', '-f', '{{.Mountpoint}}', 'lonely'));
  assert.ok(inspect('host')[0].RootFS, 'the image');
  assert.equal(ok('inspect', '--type', 'image', '-f', '{{.Os}}', 'host'), 'linux');
  const missing = hutch('inspect', 'nope');
  assert.deepEqual([missing.status, missing.stdout, missing.stderr], [1, '[]\n', 'Error: No such object: nope\n']);
  // A committed image: docker's image fields, its comment from commit -m.
  ok('import', busyboxRootfsTar(), 'base');
  ok('run', '--name', 'maker', 'base', 'true');
  ok('commit', '-m', 'made by hand', 'maker', 'handmade:1');
  const [img] = inspect('handmade:1');
  for (const k of ['Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'DockerVersion', 'Author', 'Config', 'Architecture', 'Os', 'Size', 'GraphDriver', 'RootFS', 'Metadata']) assert.ok(k in img, k);
  assert.deepEqual([img.RepoTags, img.Parent, img.Comment, img.GraphDriver.Name, img.RootFS.Type], [['handmade:1'], '', 'made by hand', 'overlay', 'layers']);
  assert.equal(ok('inspect', '-f', '{{.Image}} {{.Config.Image}}', 'maker'), `${ok('image', 'inspect', '-f', '{{.Id}}', 'base')} base`);
  // The image's config shows through a container made from it (merged as docker does).
  ok('commit', '-c', 'ENV X=1', '-c', 'EXPOSE 81', '-c', 'LABEL from=image', '-c', 'ENTRYPOINT ["sh", "-c"]', 'maker', 'conf:1');
  ok('create', '--name', 'child', '--label', 'own=yes', 'conf:1', 'exit 0');
  const [child] = inspect('child');
  assert.equal(child.Image, ok('image', 'inspect', '-f', '{{.Id}}', 'conf:1'));
  assert.ok(child.Config.Env.includes('X=1'), child.Config.Env.join(' '));
  assert.deepEqual([child.Config.Entrypoint, child.Config.Cmd, child.Path, child.Args], [['sh', '-c'], ['exit 0'], 'sh', ['-c', 'exit 0']]);
  assert.deepEqual([child.Config.ExposedPorts, child.Config.Labels, child.NetworkSettings.Ports], [{ '81/tcp': {} }, { from: 'image', own: 'yes' }, { '81/tcp': null }]);
  for (const odd of ['a/b', 'x@y', '..', 'sha256:zz', 'UPPER']) assert.equal(hutch('inspect', odd).stderr, `Error: No such object: ${odd}\n`, odd);
  const typed = hutch('inspect', '--type', 'network', 'lonely');
  assert.deepEqual([typed.status, typed.stderr], [1, 'Error: No such network: lonely\n']);
});
