// Image references, with docker's grammar and normalisation (distribution/reference):
// `alpine` → docker.io/library/alpine:latest, `localhost:5000/x` keeps its registry.
// The registry for short names is `HUTCH_REGISTRY` (default docker.io); `library/` is
// added to one-component names on docker.io only, as docker does.
import { InvalidArgument } from '../../errors.js';
import { DIGEST_RE } from './digest.js';

export interface Reference {
  /** Registry host[:port], e.g. 'docker.io', '127.0.0.1:5000'. */
  registry: string;
  /** Path in the registry, e.g. 'library/alpine'. */
  repository: string;
  /** undefined only when the reference names a digest and no tag. */
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

export function defaultRegistry(env: Record<string, string | undefined> = process.env): string {
  const r = env.HUTCH_REGISTRY?.trim();
  if (!r) return DOCKER_HUB;
  const host = r.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (!DOMAIN.test(host)) throw new InvalidArgument(`invalid HUTCH_REGISTRY ${JSON.stringify(r)}: expected host[:port]`);
  return normaliseRegistry(host);
}

function normaliseRegistry(r: string): string {
  return r === 'index.docker.io' || r === 'registry-1.docker.io' ? DOCKER_HUB : r;
}

export function isValidTag(t: string): boolean {
  return TAG.test(t);
}

/** Parses and normalises `[registry/]path[:tag][@sha256:…]`; throws InvalidArgument. */
export function parseReference(input: string, opts: { defaultRegistry?: string } = {}): Reference {
  const fail = (why: string): never => {
    throw new InvalidArgument(`invalid reference format: ${JSON.stringify(input)}${why ? `: ${why}` : ''}`);
  };
  if (!input || input.length > 512) fail('empty or too long');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) fail('bad digest');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail('bad tag');
  }
  let registry: string;
  let path: string;
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    registry = normaliseRegistry(first);
    path = rest.slice(slash + 1);
    if (!DOMAIN.test(first)) fail('bad registry');
  } else {
    registry = opts.defaultRegistry ?? defaultRegistry();
    path = rest;
  }
  if (!path) fail('no repository');
  const parts = path.split('/');
  for (const c of parts) if (!COMPONENT.test(c)) fail(/[A-Z]/.test(c) ? 'repository name must be lowercase' : `bad path component ${JSON.stringify(c)}`);
  if (registry === DOCKER_HUB && parts.length === 1) path = `library/${path}`;
  if (registry.length + 1 + path.length > 255) fail('name too long');
  const ref: Reference = { registry, repository: path };
  if (tag !== undefined) ref.tag = tag;
  else if (!digest) ref.tag = 'latest';
  if (digest) ref.digest = digest;
  return ref;
}

/** `registry/repository` */
export function repoName(r: Reference): string {
  return `${r.registry}/${r.repository}`;
}

/** The full form, `registry/repository:tag` and/or `@digest`. */
export function formatReference(r: Reference): string {
  return `${repoName(r)}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** The short form docker prints: the default registry (and docker.io's `library/`) left out. */
export function familiarRepo(repo: string, def: string = safeDefault()): string {
  if (repo.startsWith(`${def}/`)) {
    const p = repo.slice(def.length + 1);
    return def === DOCKER_HUB && p.startsWith('library/') && !p.slice(8).includes('/') ? p.slice(8) : p;
  }
  return repo;
}

export function familiarName(full: string, def: string = safeDefault()): string {
  const r = splitName(full);
  return `${familiarRepo(r.repo, def)}${r.tag !== undefined ? `:${r.tag}` : ''}`;
}

/** Splits a stored full name `registry/repo:tag` into repo and tag. */
export function splitName(full: string): { repo: string; tag?: string } {
  const colon = full.lastIndexOf(':');
  if (colon > full.lastIndexOf('/')) return { repo: full.slice(0, colon), tag: full.slice(colon + 1) };
  return { repo: full };
}

function safeDefault(): string {
  try {
    return defaultRegistry();
  } catch {
    return DOCKER_HUB;
  }
}
