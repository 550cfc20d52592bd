// `commit`: a container's changes become a new image, as `docker commit` makes
// one. Its upper directory becomes a layer on its image's (build/layer, copied:
// the container keeps its files and may keep running), mount points hutch made
// for it left out; the image's config with the container's own settings from
// the run (command, entrypoint, env, working directory, user, stop signal,
// published ports) and the -c changes becomes the new config; one history entry
// is added, `created_by` the container's Cmd as docker writes it.
//
// A running container is paused (its cgroup frozen) while its upper directory
// is read, unless told not to: a file half-written meanwhile would be committed
// half-written. The walk is fd-relative either way, so a running container
// cannot make it read a host file.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImageInfo } from '../types.js';
import { Conflict, InvalidArgument } from '../errors.js';
import { layout } from '../images/layout.js';
import { FsBlobStore } from '../images/content/blobs.js';
import { findImage, type ImageMeta } from '../images/catalog.js';
import { adding } from '../images/additions.js';
import { checkTags, commitImage, type HistoryEntry, type RuntimeConfig } from '../images/commit.js';
import { applyChanges } from '../images/config-changes.js';
import { layerFromUpper, type LayerStore } from '../build/layer/index.js';
import { readOverlay } from '../fs/root.js';
import { lockContainer, mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { files, type ContainerRecord } from './record.js';

export interface CommitOptions {
  /** NAME[:TAG] of the new image; none: untagged. */
  reference?: string;
  /** -c: Dockerfile instructions applied to the config (images/config-changes.ts). */
  changes?: readonly string[];
  /** -m: the history entry's comment. */
  message?: string;
  /** -a */
  author?: string;
  /** Freeze a running container while its files are read (default true). */
  pause?: boolean;
  /** The creation time (RFC 3339); default now. */
  created?: string;
}

export interface CommitResult {
  /** The new image's id (config digest). */
  id: string;
  info: ImageInfo;
  /** Running and not paused: read as it ran (no freezer for its cgroup, or --pause=false). */
  readLive: boolean;
}

/** The image store's parts over this engine's state root. */
export function layerStore(ctx: Ctx): LayerStore {
  return { l: layout(ctx.paths.images), native: ctx.native, blobs: new FsBlobStore(ctx.paths.images), containersDir: ctx.paths.containers };
}

export async function commitContainer(ctx: Ctx, id: string, opts: CommitOptions = {}): Promise<CommitResult> {
  // The user's input first: a bad name or change leaves nothing behind.
  const tags = opts.reference ? [opts.reference] : [];
  checkTags(tags);
  applyChanges({}, opts.changes ?? []);
  const created = opts.created ?? new Date().toISOString();
  return lockContainer(ctx, id, async () => {
    const rec = await reconcile(ctx, mustLoad(ctx, id));
    const s = layerStore(ctx);
    if (!rec.imageId) throw new InvalidArgument(`container ${rec.name} runs the built-in host image, which has no layers to commit on`);
    const image = findImage(s.l, rec.imageId)?.meta;
    if (!image) throw new InvalidArgument(`container ${rec.name}: its image ${rec.imageId.slice(7, 19)} is no longer in the store`);
    const config = applyChanges(containerConfig(rec, image), opts.changes ?? []);
    const overlay = readOverlay(rec.bundle);
    const exclude = [...mountTargets(rec.bundle), rec.spec.workdir || image.config.WorkingDir || '/'];
    return adding(s, async (added) => {
      const running = rec.status === 'running';
      // A paused container is frozen already, and must stay so after the commit (docker).
      const frozen = running && !rec.paused && opts.pause !== false ? await freeze(rec) : null;
      let layer;
      try {
        layer = await layerFromUpper(s, added, {
          upper: overlay.upperdir,
          parentChainId: image.layers.at(-1)?.chainId ?? null,
          lowerdirs: overlay.lowerdirs,
          exclude,
          snapshot: 'copy',
          idRange: rec.idRange,
        });
      } finally {
        if (frozen) thaw(frozen);
      }
      const history: HistoryEntry = {
        created,
        created_by: (containerCmd(rec, image) ?? []).join(' '),
        ...(opts.author ? { author: opts.author } : {}),
        ...(opts.message ? { comment: opts.message } : {}),
        ...(layer.empty ? { empty_layer: true } : {}),
      };
      const r = await commitImage(
        s,
        {
          parent: image.manifestDigest,
          layers: layer.empty ? [] : [layer],
          config,
          history: [history],
          created,
          author: opts.author,
          tags,
        },
        added,
      );
      return { id: r.id, info: r.info, readLive: running && !frozen && !rec.paused };
    });
  });
}

/**
 * docker's container config: the image's, with what the run set. The record keeps
 * the whole command (entrypoint and arguments) as `spec.cmd`; the entrypoint in
 * effect is `--entrypoint` or the image's, and the Cmd is what follows it.
 */
export function containerConfig(rec: ContainerRecord, image: ImageMeta): RuntimeConfig {
  const c: RuntimeConfig = structuredClone(image.config ?? {}) as RuntimeConfig;
  const s = rec.spec;
  const entrypoint = s.entrypoint !== undefined ? s.entrypoint : (image.config.Entrypoint ?? []);
  c.Entrypoint = entrypoint.length ? entrypoint : null;
  const cmd = containerCmd(rec, image);
  c.Cmd = cmd && cmd.length ? cmd : null;
  if (s.env?.length) {
    const set = new Map((c.Env ?? []).map((e) => [e.split('=')[0], e] as [string, string]));
    const given = processEnv(rec);
    for (const e of s.env) {
      const k = e.split('=')[0];
      const v = e.includes('=') ? e : given.get(k);
      if (v !== undefined) set.set(k, v);
    }
    c.Env = [...set.values()];
  }
  if (s.workdir) c.WorkingDir = s.workdir;
  if (s.user !== undefined) c.User = s.user;
  if (s.stopSignal) c.StopSignal = s.stopSignal;
  for (const p of rec.ports ?? []) c.ExposedPorts = { ...(c.ExposedPorts ?? {}), [`${p.containerPort}/${p.protocol}`]: {} };
  return c;
}

/** The Cmd part of the container's command (docker's Config.Cmd). */
function containerCmd(rec: ContainerRecord, image: ImageMeta): string[] | null {
  const entrypoint = rec.spec.entrypoint !== undefined ? rec.spec.entrypoint : (image.config.Entrypoint ?? []);
  const all = rec.command ?? rec.spec.cmd ?? [];
  return all.slice(entrypoint.length);
}

/** `-e K` took K's value from the creating process: the one config.json recorded. */
function processEnv(rec: ContainerRecord): Map<string, string> {
  try {
    const spec = JSON.parse(fs.readFileSync(files.config(rec.bundle), 'utf8')) as { process?: { env?: string[] } };
    return new Map((spec.process?.env ?? []).map((e) => [e.split('=')[0], e] as [string, string]));
  } catch {
    return new Map();
  }
}

/** Where config.json mounts something: the monitor made each target the image lacked. */
function mountTargets(bundle: string): string[] {
  const spec = JSON.parse(fs.readFileSync(files.config(bundle), 'utf8')) as { mounts?: Array<{ destination?: string }> };
  return (spec.mounts ?? []).map((m) => m.destination ?? '').filter((d) => d.startsWith('/'));
}

interface Frozen {
  file: string;
  thawed: string;
}

/**
 * Freezes the container's cgroup (v1 freezer, or cgroup.freeze on v2) and waits
 * until it is frozen; null when its cgroup has no freezer (it is then read live).
 */
async function freeze(rec: ContainerRecord): Promise<Frozen | null> {
  const p = rec.cgroupPaths ?? {};
  let f: Frozen & { frozen: string; state: string; done: (text: string) => boolean };
  if (p.freezer && fs.existsSync(path.join(p.freezer, 'freezer.state')))
    f = { file: path.join(p.freezer, 'freezer.state'), frozen: 'FROZEN', thawed: 'THAWED', state: path.join(p.freezer, 'freezer.state'), done: (t) => t.trim() === 'FROZEN' };
  else if (p.unified && fs.existsSync(path.join(p.unified, 'cgroup.freeze')))
    f = { file: path.join(p.unified, 'cgroup.freeze'), frozen: '1', thawed: '0', state: path.join(p.unified, 'cgroup.events'), done: (t) => /^frozen 1$/m.test(t) };
  else return null;
  fs.writeFileSync(f.file, f.frozen);
  for (let waited = 0; !f.done(fs.readFileSync(f.state, 'utf8')); waited += 5) {
    if (waited >= 2000) {
      thaw(f);
      throw new Conflict(`container ${rec.name}: its processes did not freeze within 2 s (commit --pause=false reads it running)`);
    }
    await sleep(5);
  }
  return { file: f.file, thawed: f.thawed };
}

function thaw(f: Frozen): void {
  fs.writeFileSync(f.file, f.thawed);
}
