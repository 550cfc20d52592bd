import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryClient } from '../../src/engine/registry/client.js';
import { endpointFor } from '../../src/engine/registry/endpoint.js';
import { RegistryError, networkError } from '../../src/engine/registry/errors.js';
import { TokenCache } from '../../src/engine/registry/token-cache.js';

type Handler = (url: URL, init: RequestInit) => Response | Promise<Response>;

/** A scripted fetch: records every request and answers with the handler. */
function fakeFetch(handler: Handler) {
  const calls: { url: string; method: string; auth?: string }[] = [];
  const f = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const headers = (init.headers ?? {}) as Record<string, string>;
    calls.push({ url: url.href, method: init.method ?? 'GET', auth: headers.Authorization });
    return handler(url, init);
  }) as typeof fetch;
  return { f, calls };
}

const json = (v: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(v), { status, headers: { 'content-type': 'application/json', ...headers } });

function client(f: typeof fetch, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) {
  const sleeps: number[] = [];
  const c = new RegistryClient({
    endpoint: endpointFor('reg.example'),
    fetch: f,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    ...extra,
  });
  return { c, sleeps };
}

test('bearer: the challenge leads to the token endpoint (with basic credentials), the token is reused', async () => {
  const { f, calls } = fakeFetch((url, init) => {
    const auth = (init.headers as Record<string, string>).Authorization;
    if (url.host === 'auth.example') {
      assert.equal(url.searchParams.get('service'), 'reg');
      assert.deepEqual(url.searchParams.getAll('scope'), ['repository:a/b:pull,push']);
      assert.equal(auth, `Basic ${Buffer.from('u:p').toString('base64')}`);
      return json({ token: 'T', expires_in: 300 });
    }
    if (auth !== 'Bearer T') {
      return json({ errors: [{ code: 'UNAUTHORIZED' }] }, 401, {
        'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull"',
      });
    }
    return new Response('ok');
  });
  const { c } = client(f, { credentials: { username: 'u', password: 'p' } });
  const r1 = await c.request('GET', '/v2/a/b/tags/list', { repo: 'a/b', actions: ['pull', 'push'] });
  assert.equal(await r1.text(), 'ok');
  await (await c.request('HEAD', '/v2/a/b/blobs/sha256:x', { repo: 'a/b', actions: ['pull', 'push'] })).text();
  // Also good for the narrower scope the challenge named.
  await (await c.request('HEAD', '/v2/a/b/blobs/sha256:y', { repo: 'a/b', actions: ['pull'] })).text();
  assert.deepEqual(
    calls.map((x) => `${x.method} ${new URL(x.url).host}${new URL(x.url).pathname} ${x.auth?.split(' ')[0] ?? '-'}`),
    [
      'GET reg.example/v2/a/b/tags/list -',
      'GET auth.example/token Basic',
      'GET reg.example/v2/a/b/tags/list Bearer',
      'HEAD reg.example/v2/a/b/blobs/sha256:x Bearer',
      'HEAD reg.example/v2/a/b/blobs/sha256:y Bearer',
    ],
  );
});

test('bearer: a token realm over plain http to another host is refused', async () => {
  const { f } = fakeFetch(() =>
    json({}, 401, { 'www-authenticate': 'Bearer realm="http://evil.example/token",service="reg"' }),
  );
  const { c } = client(f, { credentials: { username: 'u', password: 'p' } });
  await assert.rejects(c.request('GET', '/v2/'), (e: unknown) => e instanceof RegistryError && e.code === 'INSECURE' && /https is required/.test(e.message));
});

test('bearer: wrong credentials at the token endpoint are one clear error', async () => {
  const { f } = fakeFetch((url) =>
    url.host === 'auth.example'
      ? json({ details: 'no' }, 401)
      : json({}, 401, { 'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg"' }),
  );
  const { c } = client(f, { credentials: { username: 'u', password: 'bad' } });
  await assert.rejects(c.request('GET', '/v2/'), { message: 'unauthorized: incorrect username or password for reg.example' });
});

test('basic: sent after the challenge when credentials are known; without them, 401 is one line', async () => {
  const good = `Basic ${Buffer.from('u:p').toString('base64')}`;
  const handler: Handler = (_url, init) =>
    (init.headers as Record<string, string>).Authorization === good
      ? new Response('ok')
      : json({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, 401, { 'www-authenticate': 'Basic realm="Registry Realm"' });
  const withCreds = fakeFetch(handler);
  const a = client(withCreds.f, { credentials: { username: 'u', password: 'p' } }).c;
  assert.equal(await (await a.request('GET', '/v2/x/manifests/latest', { repo: 'x' })).text(), 'ok');
  assert.equal(await (await a.request('GET', '/v2/x/manifests/1', { repo: 'x' })).text(), 'ok');
  assert.deepEqual(withCreds.calls.map((c) => c.auth ?? '-'), ['-', good, good], 'basic is sent up front once known');

  const anon = client(fakeFetch(handler).f).c;
  await assert.rejects(anon.request('GET', '/v2/x/manifests/latest', { repo: 'x' }), {
    message: 'unauthorized: authentication required for reg.example/x',
  });
  const wrong = client(fakeFetch(handler).f, { credentials: { username: 'u', password: 'nope' } }).c;
  await assert.rejects(wrong.request('GET', '/v2/x/manifests/latest', { repo: 'x' }), {
    message: 'unauthorized: authentication failed for reg.example/x (as user "u")',
  });
});

test('retries: 503 and network errors with backoff, Retry-After honoured; the answer after that is returned', async () => {
  let n = 0;
  const { f, calls } = fakeFetch(() => {
    n++;
    if (n === 1) throw new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
    if (n === 2) return new Response('busy', { status: 503, headers: { 'retry-after': '2' } });
    if (n === 3) return new Response('slow', { status: 429 });
    return new Response('fine');
  });
  const retries: string[] = [];
  const { c, sleeps } = client(f, { onRetry: (i) => retries.push(`${i.attempt}:${i.reason}`) });
  assert.equal(await (await c.request('GET', '/v2/')).text(), 'fine');
  assert.equal(calls.length, 4);
  assert.deepEqual(sleeps, [250, 2000, 1000]);
  assert.deepEqual(retries, ['1:cannot reach registry reg.example: connection reset by peer', '2:503 Service Unavailable', '3:429 Too Many Requests']);
});

test('retries: 429 to the end gives toomanyrequests; Retry-After beyond the cap gives up at once', async () => {
  const { f, calls } = fakeFetch(() => new Response('', { status: 429 }));
  const { c, sleeps } = client(f);
  await assert.rejects(c.request('GET', '/v2/'), { message: 'toomanyrequests: too many requests to reg.example (gave up after 5 tries)' });
  assert.equal(calls.length, 5);
  assert.deepEqual(sleeps, [250, 500, 1000, 2000]);
  const long = client(fakeFetch(() => new Response('', { status: 429, headers: { 'retry-after': '3600' } })).f);
  await assert.rejects(long.c.request('GET', '/v2/'), { message: 'toomanyrequests: too many requests to reg.example' });
  assert.deepEqual(long.sleeps, []);
  // retry: false is a single try.
  const once = fakeFetch(() => new Response('', { status: 503, statusText: 'Service Unavailable' }));
  await assert.rejects(client(once.f).c.request('PUT', '/v2/x', { retry: false }), { message: 'registry reg.example answered 503 Service Unavailable' });
  assert.equal(once.calls.length, 1);
});

test('errors: 403, spec error bodies, accepted statuses', async () => {
  const { f } = fakeFetch((url) => {
    if (url.pathname.endsWith('/denied')) return json({}, 403);
    if (url.pathname.endsWith('/missing')) return json({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] }, 404);
    return new Response('', { status: 404 });
  });
  const { c } = client(f);
  await assert.rejects(c.request('GET', '/v2/a/denied', { repo: 'a' }), { message: 'denied: requested access to reg.example/a is denied' });
  await assert.rejects(c.request('GET', '/v2/a/missing', { repo: 'a' }), (e: unknown) =>
    e instanceof RegistryError && e.code === 'BLOB_UNKNOWN' && e.message === 'blob_unknown: blob unknown to registry (404 from reg.example/a)');
  assert.equal((await c.request('HEAD', '/v2/a/other', { accept: [404] })).status, 404);
});

test('network errors are named: refused, TLS certificate problems, plain http spoken to', () => {
  const wrap = (code: string, message = code) => new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
  assert.equal(networkError(wrap('ECONNREFUSED'), 'h:1', 'https://h:1/v2/').message, 'cannot reach registry h:1: connection refused');
  assert.equal(
    networkError(wrap('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'h:1', 'https://h:1/v2/').message,
    'TLS certificate error for h:1: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
  );
  assert.equal(networkError(wrap('CERT_HAS_EXPIRED'), 'h', 'https://h/').code, 'TLS');
  assert.equal(networkError(wrap('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'h', 'https://h/').message, 'TLS certificate error for h: certificate signed by unknown authority (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
  const openssl = '80BCB0758B7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:';
  const plain = networkError(wrap('ERR_SSL_WRONG_VERSION_NUMBER', openssl), 'localhost:5000', 'https://localhost:5000/v2/');
  assert.equal(plain.message, 'TLS handshake with localhost:5000 failed: wrong version number (is it a plain-HTTP registry? --insecure allows that for localhost only)');
  assert.equal(plain.code, 'TLS');
  assert.equal(networkError(wrap('ECONNREFUSED'), 'h', 'u').transient, true);
  assert.equal(networkError(wrap('DEPTH_ZERO_SELF_SIGNED_CERT'), 'h', 'u').transient, false);
});

test('an expired token is fetched again; a refused cached token is replaced once', async () => {
  let now = 0;
  const tokens = new TokenCache(() => now);
  let issued = 0;
  let reject = false;
  const { f, calls } = fakeFetch((url, init) => {
    if (url.host === 'auth.example') return json({ token: `T${++issued}`, expires_in: 60 });
    const auth = (init.headers as Record<string, string>).Authorization;
    if (!auth || (reject && auth === 'Bearer T2')) {
      return json({}, 401, { 'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg",scope="repository:x:pull"' });
    }
    return new Response(auth);
  });
  const { c } = client(f, { tokens });
  assert.equal(await (await c.request('GET', '/v2/x/a', { repo: 'x' })).text(), 'Bearer T1');
  now += 61_000;
  assert.equal(await (await c.request('GET', '/v2/x/b', { repo: 'x' })).text(), 'Bearer T2');
  reject = true;
  assert.equal(await (await c.request('GET', '/v2/x/c', { repo: 'x' })).text(), 'Bearer T3');
  assert.equal(calls.filter((x) => x.url.includes('auth.example')).length, 3);
});

test('parallel requests meeting one challenge: basic is not a failure, bearer asks for one token', async () => {
  const good = `Basic ${Buffer.from('u:p').toString('base64')}`;
  const basic = fakeFetch(async (_url, init) => {
    await new Promise((r) => setTimeout(r, 5));
    return (init.headers as Record<string, string>).Authorization === good
      ? new Response('ok')
      : json({}, 401, { 'www-authenticate': 'Basic realm="r"' });
  });
  const c1 = client(basic.f, { credentials: { username: 'u', password: 'p' } }).c;
  const texts = await Promise.all([1, 2, 3].map(async (i) => (await c1.request('HEAD', `/v2/x/blobs/${i}`, { repo: 'x' })).text()));
  assert.deepEqual(texts, ['ok', 'ok', 'ok']);

  let tokenRequests = 0;
  const bearer = fakeFetch(async (url, init) => {
    if (url.host === 'auth.example') {
      tokenRequests++;
      await new Promise((r) => setTimeout(r, 10));
      return json({ token: 'T' });
    }
    await new Promise((r) => setTimeout(r, 5));
    return (init.headers as Record<string, string>).Authorization === 'Bearer T'
      ? new Response('ok')
      : json({}, 401, { 'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg",scope="repository:x:pull"' });
  });
  const c2 = client(bearer.f).c;
  const got = await Promise.all([1, 2, 3].map(async (i) => (await c2.request('HEAD', `/v2/x/blobs/${i}`, { repo: 'x' })).text()));
  assert.deepEqual(got, ['ok', 'ok', 'ok']);
  assert.equal(tokenRequests, 1);
});

test('a body that breaks off is fetched again (withBody); registry errors are not retried twice', async () => {
  let n = 0;
  const { f } = fakeFetch(() => {
    n++;
    if (n === 1) {
      return new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode('par'));
            c.error(new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }));
          },
        }),
      );
    }
    return new Response('whole');
  });
  const { c, sleeps } = client(f);
  const text = await c.withBody(async () => (await c.request('GET', '/v2/x/manifests/1')).text(), '/v2/x/manifests/1');
  assert.equal(text, 'whole');
  assert.deepEqual(sleeps, [250]);

  const busy = fakeFetch(() => new Response('', { status: 503 }));
  const b = client(busy.f);
  await assert.rejects(b.c.withBody(async () => (await b.c.request('GET', '/v2/')).text(), '/v2/'), /gave up after 5 tries/);
  assert.equal(busy.calls.length, 5);
});
