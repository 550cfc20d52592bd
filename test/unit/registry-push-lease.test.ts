// push runs under the image store's shared lock from finding the image to the
// manifest PUT: an rmi, prune or gc (exclusive) cannot delete the blobs it sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { pushImage } from '../../src/engine/registry/push.js';
import type { ImageService } from '../../src/engine/images/service-api.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('every store access and every request of a push happens inside the lease', async () => {
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha('layer'), size: 5 };
  const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('config'), size: 6 };
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  let leased = 0;
  const seen: string[] = [];
  const note = (what: string) => seen.push(`${what} ${leased > 0 ? 'leased' : 'NOT LEASED'}`);
  const service = {
    blobs: {
      readBytes: (d: string) => (note(`readBytes ${d.slice(7, 11)}`), manifestBytes),
      path: (d: string) => (note(`path ${d.slice(7, 11)}`), '/nonexistent'),
      has: () => true,
    },
    async resolve() {
      note('resolve');
      return { manifestDigest: sha(manifestBytes), manifest, mediaType: manifest.mediaType, config: {} };
    },
    async lease<T>(fn: () => Promise<T>): Promise<T> {
      leased++;
      try {
        return await fn();
      } finally {
        leased--;
      }
    },
    async register() {
      throw new Error('not used');
    },
  } as unknown as ImageService;
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    note(`${init.method ?? 'GET'} ${url.pathname.replace(/sha256:(\w{4})\w+/, '$1')}`);
    if (init.method === 'HEAD') return new Response(null, { status: 200 }); // the registry has every blob
    if (init.method === 'PUT') return new Response(null, { status: 201, headers: { 'docker-content-digest': sha(manifestBytes) } });
    return new Response(null, { status: 404 });
  }) as typeof globalThis.fetch;
  const r = await pushImage(
    { service: async () => service, authFile: path.join(os.tmpdir(), 'hutch-test-no-auth.json'), client: { fetch, sleep: async () => {} } },
    'reg.example/app:1',
  );
  assert.equal(r.digest, sha(manifestBytes));
  assert.ok(seen.some((s) => s.startsWith('PUT /v2/app/manifests/1')), seen.join('\n'));
  assert.ok(seen.some((s) => s.startsWith('resolve')));
  assert.deepEqual(seen.filter((s) => !s.endsWith(' leased')), [], 'outside the lease');
  assert.equal(leased, 0, 'released at the end');
});
