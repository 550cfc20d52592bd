// A real registry for the tests: Debian's docker-registry (distribution 2.8) on
// 127.0.0.1 with a free port, its storage and config in its own temporary
// directory, optionally behind htpasswd basic auth or a bearer token server.
// Stopped by pid (SIGTERM, then SIGKILL) and its directory removed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { TokenServer } from './token-server.js';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface Registry {
  /** host:port as image references name it, e.g. 127.0.0.1:40123 */
  host: string;
  port: number;
  url: string;
  dir: string;
  pid: number;
  /** The registry's log so far (one JSON-ish line per request). */
  log(): string;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** Basic auth: users and passwords (bcrypt htpasswd made with python3's crypt). */
  htpasswd?: Record<string, string>;
  /** Bearer auth through this token server. */
  token?: TokenServer;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** An htpasswd line with a bcrypt hash (the only kind distribution accepts). Cost 4: fast checks. */
export function htpasswdLine(user: string, password: string): string {
  const py = `import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))`;
  const r = spawnSync('python3', ['-W', 'ignore', '-c', py, password], { encoding: 'utf8' });
  const hash = r.stdout.trim();
  if (r.status !== 0 || !/^\$2[aby]\$04\$/.test(hash)) throw new Error(`cannot make a bcrypt hash with python3's crypt: ${r.stderr.trim() || hash}`);
  return `${user}:${hash}`;
}

function config(dir: string, port: number, o: RegistryOptions): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: hutch-test-${port}`,
  ];
  if (o.htpasswd) {
    fs.writeFileSync(path.join(dir, 'htpasswd'), Object.entries(o.htpasswd).map(([u, p]) => htpasswdLine(u, p)).join('\n') + '\n');
    lines.push('auth:', '  htpasswd:', '    realm: hutch-test', `    path: ${path.join(dir, 'htpasswd')}`);
  } else if (o.token) {
    fs.writeFileSync(path.join(dir, 'token-root.pem'), o.token.cert.certPem);
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${o.token.realm}`,
      `    service: ${o.token.service}`,
      `    issuer: ${o.token.issuer}`,
      `    rootcertbundle: ${path.join(dir, 'token-root.pem')}`,
    );
  }
  return lines.join('\n') + '\n';
}

async function ready(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${url}: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
}

export async function startRegistry(o: RegistryOptions = {}): Promise<Registry> {
  if (!fs.existsSync(REGISTRY_BIN)) throw new Error(`${REGISTRY_BIN} is missing (apt-get install docker-registry)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-registry-'));
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const cfg = path.join(dir, 'config.yml');
    fs.writeFileSync(cfg, config(dir, port, o));
    const logFile = path.join(dir, 'registry.log');
    const fd = fs.openSync(logFile, 'w');
    const child = spawn(REGISTRY_BIN, ['serve', cfg], { stdio: ['ignore', fd, fd], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    fs.closeSync(fd);
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
    };
    try {
      await ready(url, child, logFile);
    } catch (e) {
      await stop();
      // Someone took the port between our probe and the registry's bind: try another.
      if (tries < 3 && /address already in use/.test(fs.readFileSync(logFile, 'utf8'))) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    return {
      host: `127.0.0.1:${port}`,
      port,
      url,
      dir,
      pid: child.pid!,
      log: () => fs.readFileSync(logFile, 'utf8'),
      async stop() {
        await stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

// --- Images made and pushed by hand (raw HTTP), for what hutch cannot make itself:
// several layers, gzip, manifest lists with foreign platforms, broken content.

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A tar archive of the given files (paths relative to the root), made by GNU tar. */
export function tarOf(files: Record<string, string | Buffer>): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-test-tar-'));
  try {
    for (const [name, body] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), body);
    }
    const r = spawnSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', dir, '-cf', '-', ...Object.keys(files).map((f) => f.replace(/^\/+/, ''))], { maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
    return r.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface RawLayer {
  /** The blob as stored (gzip or plain tar). */
  blob: Buffer;
  diffId: string;
  mediaType: string;
}

export function layer(tar: Buffer, compress = false): RawLayer {
  const blob = compress ? gzipSync(tar) : tar;
  return { blob, diffId: sha256(tar), mediaType: compress ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar' };
}

export interface RawImage {
  layers: RawLayer[];
  config: Buffer;
  manifest: Buffer;
  digest: string;
}

export function makeImage(layers: RawLayer[], o: { architecture?: string; variant?: string; cmd?: string[] } = {}): RawImage {
  const plat = hostArch();
  const variant = o.architecture ? o.variant : (o.variant ?? plat.variant);
  const config = Buffer.from(
    JSON.stringify({
      architecture: o.architecture ?? plat.architecture,
      ...(variant ? { variant } : {}),
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: o.cmd ?? ['sh'], Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: sha256(l.blob), size: l.blob.length })),
    }),
  );
  return { layers, config, manifest, digest: sha256(manifest) };
}

/** The host's platform in OCI names. */
export function hostArch(): { architecture: string; variant?: string } {
  const a = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch] ?? process.arch;
  return a === 'arm64' ? { architecture: a, variant: 'v8' } : { architecture: a };
}

export async function pushBlob(base: string, repo: string, data: Buffer, headers: Record<string, string> = {}): Promise<string> {
  const digest = sha256(data);
  const head = await fetch(`${base}/v2/${repo}/blobs/${digest}`, { method: 'HEAD', headers });
  if (head.status === 200) return digest;
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  await start.body?.cancel();
  if (start.status !== 202) throw new Error(`upload start: ${start.status}`);
  const loc = new URL(start.headers.get('location')!, base);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: new Uint8Array(data) });
  await put.body?.cancel();
  if (put.status !== 201) throw new Error(`upload put: ${put.status}`);
  return digest;
}

export async function pushManifest(base: string, repo: string, ref: string, body: Buffer, mediaType: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'PUT', headers: { ...headers, 'content-type': mediaType }, body: new Uint8Array(body) });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${text}`);
  return sha256(body);
}

/** Pushes blobs and manifest; returns the manifest digest. */
export async function pushImage(base: string, repo: string, tag: string, img: RawImage): Promise<string> {
  for (const l of img.layers) await pushBlob(base, repo, l.blob);
  await pushBlob(base, repo, img.config);
  return pushManifest(base, repo, tag, img.manifest, OCI_MANIFEST);
}

/** An OCI index over the images, each with its platform. */
export function makeIndex(entries: { img: RawImage; architecture: string; variant?: string }[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: entries.map((e) => ({
        mediaType: OCI_MANIFEST,
        digest: e.img.digest,
        size: e.img.manifest.length,
        platform: { os: 'linux', architecture: e.architecture, ...(e.variant ? { variant: e.variant } : {}) },
      })),
    }),
  );
}
