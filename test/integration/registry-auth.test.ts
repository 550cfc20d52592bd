// Authentication against a real docker-registry: htpasswd basic auth, and bearer
// tokens from a token server (JWTs the registry verifies against our root
// certificate). 401 without login, login checked before it is stored (0600),
// push and pull after it, logout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxRootfsTar, sandbox, type Sandbox } from './helpers.js';
import { startRegistry, type Registry } from '../support/registry.js';
import { startTokenServer, type TokenServer } from '../support/token-server.js';
import { cliAsync } from '../support/cli.js';

const USERS = { alice: 'wonder:land' };

let a: Sandbox;
let b: Sandbox;

before(async () => {
  a = await sandbox();
  b = await sandbox();
  const imp = a.cli(['import', busyboxRootfsTar(), 'busybox-src']);
  assert.equal(imp.status, 0, imp.stderr);
});

after(async () => {
  await a?.cleanup();
  await b?.cleanup();
});

const authFile = (sb: Sandbox) => path.join(sb.root, 'auth.json');

/** The same story for both kinds of auth. */
async function story(reg: Registry, hooks: { beforePush?: () => void; afterPush?: () => void } = {}) {
  const name = `${reg.host}/busybox:1`;
  for (const sb of [a, b]) fs.rmSync(authFile(sb), { force: true });
  assert.equal(a.cli(['tag', 'busybox-src', name]).status, 0);

  const anonPush = await cliAsync(a.env, ['push', '--insecure', name]);
  assert.equal(anonPush.status, 125);
  assert.equal(anonPush.stderr, `hutch: unauthorized: authentication required for ${reg.host}/busybox\n`);

  const wrong = await cliAsync(a.env, ['login', '--insecure', '-u', 'alice', '--password-stdin', reg.host], { input: 'wrong\n' });
  assert.equal(wrong.status, 125);
  assert.equal(wrong.stderr, `hutch: unauthorized: incorrect username or password for ${reg.host}\n`);
  assert.equal(wrong.stdout, '');
  assert.ok(!fs.existsSync(authFile(a)), 'nothing stored for a failed login');

  const login = await cliAsync(a.env, ['login', '--insecure', '-u', 'alice', '--password-stdin', reg.host], { input: `${USERS.alice}\n` });
  assert.equal(login.stderr, '');
  assert.equal(login.stdout, 'Login Succeeded\n');
  assert.equal(login.status, 0);
  const st = fs.statSync(authFile(a));
  assert.equal(st.mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(fs.readFileSync(authFile(a), 'utf8')), {
    auths: { [reg.host]: { auth: Buffer.from(`alice:${USERS.alice}`).toString('base64') } },
  });

  hooks.beforePush?.();
  const push = await cliAsync(a.env, ['push', '--insecure', name]);
  assert.equal(push.stderr, '');
  assert.equal(push.status, 0);
  hooks.afterPush?.();

  const anonPull = await cliAsync(b.env, ['pull', '--insecure', name]);
  assert.equal(anonPull.status, 125);
  assert.equal(anonPull.stderr, `hutch: unauthorized: authentication required for ${reg.host}/busybox\n`);

  const loginB = await cliAsync(b.env, ['login', '--insecure', '--username=alice', '--password-stdin', `http://${reg.host}/`], { input: USERS.alice });
  assert.equal(loginB.status, 0, loginB.stderr);
  const pull = await cliAsync(b.env, ['pull', '--insecure', name]);
  assert.equal(pull.stderr, '');
  assert.equal(pull.status, 0);
  const run = b.cli(['run', '--rm', name, 'echo', 'authenticated']);
  assert.equal(run.stdout, 'authenticated\n', run.stderr);

  const logout = b.cli(['logout', reg.host]);
  assert.equal(logout.stdout, `Removing login credentials for ${reg.host}\n`);
  assert.equal(b.cli(['logout', reg.host]).stdout, `Not logged in to ${reg.host}\n`);
  assert.deepEqual(JSON.parse(fs.readFileSync(authFile(b), 'utf8')), { auths: {} });
  const after = await cliAsync(b.env, ['pull', '--insecure', name]);
  assert.equal(after.status, 125);
  assert.equal(after.stderr, `hutch: unauthorized: authentication required for ${reg.host}/busybox\n`);
  assert.equal(b.cli(['logout', reg.host]).status, 0);
  assert.equal(a.cli(['logout', reg.host]).status, 0);
}

describe('htpasswd basic auth', () => {
  let reg: Registry;
  before(async () => {
    reg = await startRegistry({ htpasswd: USERS });
  });
  after(async () => {
    await reg?.stop();
  });
  test('401 without login; login checked and stored 0600; push, pull, run; logout', async () => {
    await story(reg);
  });
});

describe('bearer token auth', () => {
  let tokens: TokenServer;
  let reg: Registry;
  before(async () => {
    tokens = await startTokenServer(USERS);
    reg = await startRegistry({ token: tokens });
  });
  after(async () => {
    await reg?.stop();
    await tokens?.close();
  });
  test('401 without login; tokens for the scope, fetched once per operation; push, pull, run; logout', async () => {
    let from = 0;
    let pushTokens: TokenServer['requests'] = [];
    await story(reg, {
      beforePush: () => (from = tokens.requests.length),
      afterPush: () => (pushTokens = tokens.requests.slice(from)),
    });
    // The push asked once, as alice, for pull and push on the repository; every
    // request of the push (HEADs, uploads, manifest) used that token.
    assert.deepEqual(pushTokens, [{ scopes: ['repository:busybox:pull,push'], user: 'alice', status: 200 }]);
    assert.ok(tokens.requests.some((r) => r.user === 'alice' && r.status === 200 && r.scopes.length === 0), 'login asked for a token without scope');
    assert.ok(tokens.requests.some((r) => r.user === 'alice' && r.status === 401), 'the wrong password was refused by the token server');
  });
});
