import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseChallenges } from '../../src/engine/registry/www-authenticate.js';
import { TokenCache, mergeScopes } from '../../src/engine/registry/token-cache.js';
import { authFilePath, readCredentials, removeCredentials, storeCredentials } from '../../src/engine/registry/credentials.js';
import { endpointFor, isLoopbackRegistry } from '../../src/engine/registry/endpoint.js';
import { RegistryError } from '../../src/engine/registry/errors.js';

test('WWW-Authenticate: a bearer challenge with a comma inside the scope', () => {
  const h = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push"';
  assert.deepEqual(parseChallenges(h), [
    {
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull,push' },
    },
  ]);
});

test('WWW-Authenticate: several challenges, token values, escapes, odd spacing', () => {
  const h = 'Basic realm="Registry Realm" , Bearer realm="http://127.0.0.1:9/t" ,error="invalid_token", Newauth x=1, title="a \\"q\\" b"';
  assert.deepEqual(parseChallenges(h), [
    { scheme: 'basic', params: { realm: 'Registry Realm' } },
    { scheme: 'bearer', params: { realm: 'http://127.0.0.1:9/t', error: 'invalid_token' } },
    { scheme: 'newauth', params: { x: '1', title: 'a "q" b' } },
  ]);
});

test('WWW-Authenticate: names are case-insensitive, empty and missing headers give nothing', () => {
  assert.deepEqual(parseChallenges('BASIC Realm=r'), [{ scheme: 'basic', params: { realm: 'r' } }]);
  assert.deepEqual(parseChallenges(''), []);
  assert.deepEqual(parseChallenges(null), []);
  assert.deepEqual(parseChallenges('Bearer'), [{ scheme: 'bearer', params: {} }]);
  // An unterminated quote ends at the end of the header.
  assert.deepEqual(parseChallenges('Bearer realm="abc'), [{ scheme: 'bearer', params: { realm: 'abc' } }]);
});

test('token cache: kept for its lifetime less a margin; a wider grant serves a narrower need', () => {
  let now = Date.parse('2024-01-01T00:00:00Z');
  const c = new TokenCache(() => now);
  const ep = TokenCache.endpoint('https://a/token', 'svc');
  assert.equal(c.put(ep, ['repository:b:pull', 'repository:a:pull,push'], { token: 't1', expires_in: 300 }), 't1');
  assert.equal(c.get(ep, ['repository:a:pull']), 't1');
  assert.equal(c.get(ep, ['repository:b:pull', 'repository:a:push']), 't1');
  assert.equal(c.get(ep, ['repository:b:push']), undefined, 'push on b was not granted');
  assert.equal(c.get(ep, ['repository:c:pull']), undefined);
  assert.equal(c.get(TokenCache.endpoint('https://a/token', 'other'), ['repository:a:pull']), undefined, 'per service');
  now += 294_000;
  assert.equal(c.get(ep, ['repository:a:pull']), 't1');
  now += 2_000; // 296 s: inside the 5 s margin
  assert.equal(c.get(ep, ['repository:a:pull']), undefined);
  // access_token (OAuth2 name), default lifetime 60 s.
  c.put(ep, [], { access_token: 't2' });
  assert.equal(c.get(ep, []), 't2');
  now += 56_000;
  assert.equal(c.get(ep, []), undefined);
  // issued_at near our clock counts from then; a skewed one is ignored.
  c.put(ep, ['repository:x:*'], { token: 't3', expires_in: 60, issued_at: new Date(now - 50_000).toISOString() });
  assert.equal(c.get(ep, ['repository:x:pull,push']), 't3', '* grants every action');
  now += 6_000;
  assert.equal(c.get(ep, ['repository:x:pull']), undefined);
  c.put(ep, [], { token: 't4', expires_in: 60, issued_at: '2001-01-01T00:00:00Z' });
  assert.equal(c.get(ep, []), 't4');
  c.drop('t4');
  assert.equal(c.get(ep, []), undefined);
  assert.throws(() => c.put(ep, [], {}), /no token/);
});

test('scopes merge per resource', () => {
  assert.deepEqual(mergeScopes(['repository:a:push', 'repository:a:pull', 'repository:b:pull', 'registry:catalog:*']), [
    'repository:a:pull,push',
    'repository:b:pull',
    'registry:catalog:*',
  ]);
});

test('credentials file: 0600, atomic, docker layout, other keys kept', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-auth-'));
  try {
    const file = path.join(dir, 'sub', 'auth.json');
    assert.equal(readCredentials(file, 'r.example'), undefined);
    storeCredentials(file, '127.0.0.1:5000', { username: 'u', password: 'p:w' });
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(onDisk, { auths: { '127.0.0.1:5000': { auth: Buffer.from('u:p:w').toString('base64') } } });
    assert.deepEqual(readCredentials(file, '127.0.0.1:5000'), { username: 'u', password: 'p:w' });
    // A file written by docker: Docker Hub under its old index URL, other settings kept.
    fs.writeFileSync(file, JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') } }, credsStore: 'x' }), { mode: 0o644 });
    assert.deepEqual(readCredentials(file, 'docker.io'), { username: 'hub', password: 'pw' });
    storeCredentials(file, 'docker.io', { username: 'hub2', password: 'pw2' });
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'rewritten with mode 0600');
    const after = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(after.credsStore, 'x');
    assert.deepEqual(Object.keys(after.auths), ['docker.io']);
    assert.equal(removeCredentials(file, 'docker.io'), true);
    assert.equal(removeCredentials(file, 'docker.io'), false);
    assert.equal(readCredentials(file, 'docker.io'), undefined);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['auth.json'], 'no temporary file left');
    fs.writeFileSync(file, '{nope');
    assert.throws(() => readCredentials(file, 'x'), /not valid JSON/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('credentials file: the temp file is a fresh random name, never a link someone planted', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-auth-'));
  try {
    const file = path.join(dir, 'auth.json');
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'precious\n');
    // The name an older hutch used: .auth.json.<pid>.tmp, opened without O_EXCL|O_NOFOLLOW.
    const planted = path.join(dir, `.auth.json.${process.pid}.tmp`);
    fs.symlinkSync(victim, planted);
    storeCredentials(file, 'r.example', { username: 'u', password: 'secret' });
    assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n', 'nothing written through the link');
    assert.ok(fs.lstatSync(file).isFile(), 'auth.json is a file, not the planted link');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readCredentials(file, 'r.example'), { username: 'u', password: 'secret' });
    assert.ok(fs.lstatSync(planted).isSymbolicLink(), 'left alone');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['.auth.json.' + process.pid + '.tmp', 'auth.json', 'victim'].sort(), 'no temporary file left');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('credentials file location', () => {
  assert.equal(authFilePath({ HUTCH_AUTH_FILE: '/a/b.json', HUTCH_ROOT: '/r' }), '/a/b.json');
  assert.equal(authFilePath({ HUTCH_ROOT: '/r' }), '/r/auth.json');
  assert.equal(authFilePath({ XDG_CONFIG_HOME: '/x' }), '/x/hutch/auth.json');
  assert.equal(authFilePath({ HOME: '/home/u' }), '/home/u/.config/hutch/auth.json');
});

test('endpoints: https by default, --insecure only for loopback', () => {
  assert.deepEqual(endpointFor('docker.io'), { host: 'docker.io', base: 'https://registry-1.docker.io', insecure: false });
  assert.deepEqual(endpointFor('quay.io'), { host: 'quay.io', base: 'https://quay.io', insecure: false });
  assert.deepEqual(endpointFor('127.0.0.1:5000', true), { host: '127.0.0.1:5000', base: 'http://127.0.0.1:5000', insecure: true });
  assert.equal(endpointFor('localhost', true).base, 'http://localhost');
  assert.equal(endpointFor('[::1]:5000', true).base, 'http://[::1]:5000');
  for (const h of ['localhost:1', 'LOCALHOST', '127.0.0.1', '[::1]']) assert.ok(isLoopbackRegistry(h), h);
  for (const h of ['example.com', '127.0.0.2:5000', '10.0.0.1', 'localhost.example.com', '127.0.0.1.nip.io:5000', '[::2]']) {
    assert.ok(!isLoopbackRegistry(h), h);
    assert.throws(
      () => endpointFor(h, true),
      (e: unknown) => e instanceof RegistryError && e.code === 'INSECURE' && e.message === `--insecure is allowed only for localhost, 127.0.0.1 and [::1] registries, not "${h}"`,
    );
  }
  assert.throws(() => endpointFor('a/b'), /invalid registry name/);
});
