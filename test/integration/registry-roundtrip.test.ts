// Registry round trip against Debian's docker-registry on 127.0.0.1: push with
// hutch, pull back into a fresh state root, run; several layers and gzip; a
// manifest list picks the host's platform; the errors users meet are one line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { busyboxRootfsTar, sandbox, type Sandbox } from './helpers.js';
import {
  freePort,
  hostArch,
  layer,
  makeImage,
  makeIndex,
  OCI_INDEX,
  pushImage,
  pushManifest,
  sha256,
  startRegistry,
  tarOf,
  type Registry,
} from '../support/registry.js';
import { startProxy } from '../support/proxy.js';
import { selfSignedCert } from '../support/x509.js';
import { cliAsync } from '../support/cli.js';

let reg: Registry;
let a: Sandbox;
let b: Sandbox;

before(async () => {
  reg = await startRegistry();
  a = await sandbox();
  b = await sandbox();
});

after(async () => {
  await a?.cleanup();
  await b?.cleanup();
  await reg?.stop();
});

const blobFile = (sb: Sandbox, digest: string) => path.join(sb.root, 'images', 'blobs', 'sha256', digest.slice(7));
const partials = (sb: Sandbox) => {
  const dir = path.join(sb.root, 'images', 'ingest');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.partial')) : [];
};

test('push an imported image, pull it into a fresh root, run it', async () => {
  const name = `${reg.host}/busybox:1`;
  const imp = a.cli(['import', busyboxRootfsTar(), name]);
  assert.equal(imp.status, 0, imp.stderr);

  const push = a.cli(['push', '--insecure', name]);
  assert.equal(push.stderr, '');
  assert.equal(push.status, 0);
  const lines = push.stdout.trimEnd().split('\n');
  assert.equal(lines[0], `The push refers to repository [${reg.host}/busybox]`);
  const m = /^1: digest: (sha256:[0-9a-f]{64}) size: (\d+)$/.exec(lines[lines.length - 1]);
  assert.ok(m, push.stdout);
  const digest = m[1];
  assert.ok(lines.some((l) => /^[0-9a-f]{12}: Pushed$/.test(l)), push.stdout);

  // What the registry holds is byte for byte what hutch has: same digest.
  const res = await fetch(`${reg.url}/v2/busybox/manifests/1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(sha256(body), digest);
  assert.equal(res.headers.get('docker-content-digest'), digest);
  assert.equal(Number(m[2]), body.length);

  // Again: every blob is there already (HEAD), nothing is uploaded.
  const before = reg.log().split('\n').filter((l) => /http.request.method=(PATCH|POST)/.test(l)).length;
  const again = a.cli(['push', '--insecure', name]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /: Layer already exists\n/);
  assert.equal(reg.log().split('\n').filter((l) => /http.request.method=(PATCH|POST)/.test(l)).length, before, 'no upload started');

  const pull = b.cli(['pull', '--insecure', name]);
  assert.equal(pull.stderr, '');
  assert.equal(pull.status, 0);
  assert.ok(pull.stdout.startsWith('1: Pulling from busybox\n'), pull.stdout);
  assert.ok(pull.stdout.endsWith(`Digest: ${digest}\nStatus: Downloaded newer image for ${name}\n${name}\n`), pull.stdout);
  assert.match(pull.stdout, /^[0-9a-f]{12}: Pull complete$/m);

  const run = b.cli(['run', '--rm', name, 'sh', '-c', 'echo pulled; test -x /bin/busybox && echo ok']);
  assert.equal(run.stderr, '');
  assert.equal(run.stdout, 'pulled\nok\n');
  assert.equal(run.status, 0);

  const second = b.cli(['pull', '--insecure', name]);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /: Already exists\n/);
  assert.match(second.stdout, new RegExp(`Status: Image is up to date for ${name.replace(/[.]/g, '\\.')}\n`));
  assert.deepEqual(partials(b), []);

  // The tag moves to another image whose blobs b has already (pulled under another
  // tag): nothing to download, but the name now names a newer image (docker's words).
  const other = `${reg.host}/busybox:2`;
  assert.equal(a.cli(['commit', '-c', 'CMD ["true"]', a.cli(['create', name, 'true']).stdout.trim(), other]).status, 0);
  assert.equal(a.cli(['push', '--insecure', other]).status, 0);
  assert.equal(b.cli(['pull', '--insecure', other]).status, 0);
  assert.equal(a.cli(['tag', other, name]).status, 0);
  assert.equal(a.cli(['push', '--insecure', name]).status, 0);
  const moved = b.cli(['pull', '--insecure', name]);
  assert.equal(moved.status, 0, moved.stderr);
  assert.doesNotMatch(moved.stdout, /Pull complete/);
  assert.match(moved.stdout, new RegExp(`Status: Downloaded newer image for ${name.replace(/[.]/g, '\\.')}\n`));
});

test('several layers, gzip and plain, one on top of the other; pull by digest', async () => {
  const base = layer(fs.readFileSync(busyboxRootfsTar()), true);
  const top = layer(tarOf({ 'etc/motd': 'second layer\n' }));
  const img = makeImage([base, layer(tarOf({ 'etc/motd': 'first\n' }), true), top], { cmd: ['cat', '/etc/motd'] });
  const digest = await pushImage(reg.url, 'layers', '3', img);

  const pull = b.cli(['pull', '--insecure', `${reg.host}/layers@${digest}`]);
  assert.equal(pull.stderr, '');
  assert.equal(pull.status, 0);
  assert.equal(pull.stdout.split('\n').filter((l) => /: Pull complete$/.test(l)).length, 3, pull.stdout);
  assert.ok(pull.stdout.endsWith(`${reg.host}/layers@${digest}\n`), pull.stdout);
  for (const l of img.layers) assert.ok(fs.existsSync(blobFile(b, sha256(l.blob))), 'layer blob stored');

  const run = b.cli(['run', '--rm', `${reg.host}/layers@${digest}`]);
  assert.equal(run.stdout, 'second layer\n', run.stderr);
  assert.equal(run.status, 0);
});

test('a manifest list picks the host platform and fetches only its blobs', async () => {
  const host = hostArch();
  const other = host.architecture === 'amd64' ? { architecture: 'arm64', variant: 'v8' } : { architecture: 'amd64' };
  const base = layer(fs.readFileSync(busyboxRootfsTar()), true);
  const mine = makeImage([base, layer(tarOf({ 'arch.txt': 'host\n' }), true)], { cmd: ['cat', '/arch.txt'] });
  const theirs = makeImage([base, layer(tarOf({ 'arch.txt': 'other\n' }), true)], { ...other, cmd: ['cat', '/arch.txt'] });
  await pushImage(reg.url, 'multi', 'theirs', theirs);
  await pushImage(reg.url, 'multi', 'mine', mine);
  // The foreign platform first: a client that takes the first entry gets it wrong.
  const index = makeIndex([
    { img: theirs, ...other },
    { img: mine, ...host },
  ]);
  const indexDigest = await pushManifest(reg.url, 'multi', 'latest', index, OCI_INDEX);

  const pull = b.cli(['pull', '--insecure', `${reg.host}/multi`]);
  assert.equal(pull.stderr, '');
  assert.equal(pull.status, 0);
  assert.ok(pull.stdout.startsWith('Using default tag: latest\nlatest: Pulling from multi\n'), pull.stdout);
  assert.match(pull.stdout, new RegExp(`Digest: ${indexDigest}\n`), 'the digest shown is the index the tag names');
  assert.ok(fs.existsSync(blobFile(b, sha256(mine.layers[1].blob))));
  assert.ok(!fs.existsSync(blobFile(b, sha256(theirs.layers[1].blob))), "the other platform's layer is not fetched");
  assert.ok(!fs.existsSync(blobFile(b, sha256(theirs.config))), "nor its config");

  const run = b.cli(['run', '--rm', `${reg.host}/multi`]);
  assert.equal(run.stdout, 'host\n', run.stderr);

  // An index without the host's platform: one clear line.
  await pushManifest(reg.url, 'multi', 'foreign', makeIndex([{ img: theirs, ...other }]), OCI_INDEX);
  const foreign = b.cli(['pull', '--insecure', `${reg.host}/multi:foreign`]);
  assert.equal(foreign.status, 125);
  assert.match(foreign.stderr, new RegExp(`^hutch: no image found in manifest list for architecture ${host.architecture}, .*OS linux\n$`));
});

test('unknown image: one line, exit 125, nothing stored', () => {
  const r = b.cli(['pull', '--insecure', `${reg.host}/nope:2`]);
  assert.equal(r.status, 125);
  assert.equal(r.stderr, `hutch: manifest unknown: ${reg.host}/nope:2 not found\n`);
  const known = b.cli(['pull', '--insecure', `${reg.host}/busybox:no-such-tag`]);
  assert.equal(known.stderr, `hutch: manifest unknown: ${reg.host}/busybox:no-such-tag not found\n`);
  assert.doesNotMatch(b.cli(['images']).stdout, /nope/);
});

test('--insecure is refused for a registry that is not loopback: one line, nothing else', () => {
  for (const verb of ['pull', 'push']) {
    const r = b.cli([verb, '--insecure', 'registry.example.com/x:1']);
    assert.equal(r.status, 125);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'hutch: --insecure is allowed only for localhost, 127.0.0.1 and [::1] registries, not "registry.example.com"\n');
  }
  const login = b.cli(['login', '--insecure', '-u', 'u', '--password-stdin', '10.1.2.3:5000'], { input: 'pw\n' });
  assert.equal(login.status, 125);
  assert.equal(login.stderr, 'hutch: --insecure is allowed only for localhost, 127.0.0.1 and [::1] registries, not "10.1.2.3:5000"\n');
  assert.ok(!fs.existsSync(path.join(b.root, 'auth.json')));
});

test('connection refused and TLS problems are named', async () => {
  const port = await freePort();
  const refused = b.cli(['pull', '--insecure', `127.0.0.1:${port}/x:1`]);
  assert.equal(refused.status, 125);
  assert.equal(refused.stderr, `hutch: cannot reach registry 127.0.0.1:${port}: connection refused\n`);

  // https with a certificate nobody trusts.
  const cert = selfSignedCert('hutch-test-tls');
  const server = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (_req, res) => res.writeHead(200).end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const tlsPort = (server.address() as AddressInfo).port;
  try {
    const r = await cliAsync(b.env, ['pull', `127.0.0.1:${tlsPort}/x:1`]);
    assert.equal(r.status, 125);
    assert.equal(r.stderr, `hutch: TLS certificate error for 127.0.0.1:${tlsPort}: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)\n`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  // https spoken to a plain-http registry.
  const plain = b.cli(['pull', `${reg.host}/busybox:1`]);
  assert.equal(plain.status, 125);
  assert.equal(plain.stderr, `hutch: TLS handshake with ${reg.host} failed: wrong version number (is it a plain-HTTP registry? --insecure allows that for localhost only)\n`);
});

test('content that does not match its digest is refused and not kept', async () => {
  // A registry that lies: the layer's bytes are not the ones the manifest names.
  const good = layer(tarOf({ 'x.txt': 'good\n' }));
  const img = makeImage([good]);
  const evil = Buffer.from(good.blob);
  evil[600] ^= 0xff;
  const routes = new Map<string, Buffer>([
    ['/v2/liar/manifests/1', img.manifest],
    [`/v2/liar/blobs/${sha256(img.config)}`, img.config],
    [`/v2/liar/blobs/${sha256(good.blob)}`, evil],
  ]);
  let served = 0;
  const server = http.createServer((req, res) => {
    const body = routes.get(req.url ?? '');
    if (req.url === `/v2/liar/blobs/${sha256(good.blob)}`) served++;
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, req.url?.includes('/manifests/') ? { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } : {}).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const r = await cliAsync(b.env, ['pull', '--insecure', `${host}/liar:1`]);
    assert.equal(r.status, 125);
    assert.match(r.stderr, new RegExp(`^hutch: digest mismatch: blob ${sha256(good.blob)} from ${host}/liar: .*\n$`));
    assert.equal(served, 2, 'fetched once more after the first mismatch, then given up');
    assert.ok(!fs.existsSync(blobFile(b, sha256(good.blob))), 'the bad blob is not in the store');
    assert.deepEqual(partials(b), [], 'nor left as a partial download');
    assert.doesNotMatch(b.cli(['images']).stdout, /liar/);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('503s from a flaky proxy are retried; a registry that keeps saying 429 is given up on', async () => {
  await pushImage(reg.url, 'flaky', '1', makeImage([layer(tarOf({ 'flaky.txt': 'x\n' }), true)]));
  const flaky = await startProxy(reg.url, { failFirst: 2, failStatus: 503, match: (m, u) => m === 'GET' && /\/blobs\//.test(u) });
  try {
    const r = await cliAsync(b.env, ['pull', '--insecure', `${flaky.host}/flaky:1`]);
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.equal(flaky.failed(), 2);
    assert.ok(flaky.requests.filter((x) => x.status === 503).length === 2);
  } finally {
    await flaky.close();
  }
  const limited = await startProxy(reg.url, { failFirst: 1000, failStatus: 429, failHeaders: { 'retry-after': '0' } });
  try {
    const r = await cliAsync(b.env, ['pull', '--insecure', `${limited.host}/busybox:1`]);
    assert.equal(r.status, 125);
    assert.equal(r.stderr, `hutch: toomanyrequests: too many requests to ${limited.host} (gave up after 5 tries)\n`);
    assert.equal(limited.failed(), 5);
  } finally {
    await limited.close();
  }
});
