// A foreign container's name, where its engine's files say it: docker's
// config.v2.json (`Name`), the CRI's annotations in the bundle's config.json
// (namespace/pod/container, as kubectl names them), hutch-runc's and podman's
// bundles (annotation io.podman.annotations… is not a name: short ids there).
// '' when nothing says; read once per container by the scanner.
import fs from 'node:fs';
import path from 'node:path';
import type { ForeignContainer } from './types.js';

function readJson(file: string, max = 1 << 20): Record<string, unknown> | null {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      if (fs.fstatSync(fd).size > max) return null;
      return JSON.parse(fs.readFileSync(fd, 'utf8')) as Record<string, unknown>;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}

export function foreignName(c: ForeignContainer, dockerRoot: string): string {
  if (c.engine === 'docker') {
    const cfg = readJson(path.join(dockerRoot, 'containers', c.id, 'config.v2.json'));
    const name = typeof cfg?.Name === 'string' ? cfg.Name.replace(/^\//, '') : '';
    if (name) return name;
  }
  if (c.bundle) {
    const cfg = readJson(path.join(c.bundle, 'config.json'));
    const ann = (cfg?.annotations ?? {}) as Record<string, unknown>;
    const s = (k: string) => (typeof ann[k] === 'string' ? (ann[k] as string) : '');
    const ctr = s('io.kubernetes.cri.container-name') || s('io.kubernetes.container.name');
    const pod = s('io.kubernetes.cri.sandbox-name') || s('io.kubernetes.pod.name');
    const ns = s('io.kubernetes.cri.sandbox-namespace') || s('io.kubernetes.pod.namespace');
    if (pod) return [ns, pod, ctr].filter(Boolean).join('/');
    const named = s('io.hutch.name') || s('nerdctl/name');
    if (named) return named;
  }
  return '';
}
