// A real registry for the tests: Debian's docker-registry (distribution 2.8) on
// 127.0.0.1 with a free port, its storage and config in its own temporary
// directory, optionally behind htpasswd basic auth or a bearer token server.
// Stopped by pid (SIGTERM, then SIGKILL) and its directory removed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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
