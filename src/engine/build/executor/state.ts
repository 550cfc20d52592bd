// A stage while it builds: the image it started from (a registered image, or none
// for FROM scratch), the layers and history its steps added on top, the runtime
// config as the steps left it, its variables, and the running cache key. A stage
// built FROM another stage starts from a copy. Nothing is registered until the end
// (commitImage): RUN and COPY steps use the state directly (rootfsOf).
import fs from 'node:fs';
import { findImage, readMeta } from '../../images/catalog.js';
import { readEtc } from '../../images/etc-files.js';
import { snapshotFs } from '../../images/layout.js';
import { resolveUser } from '../../images/user.js';
import type { ImageRootfs } from '../../images/store.js';
import type { HistoryEntry, RuntimeConfig } from '../../images/commit.js';
import type { Descriptor } from '../../images/oci/manifest.js';
import { StageVariables } from '../dockerfile/index.js';
import type { StoreParts } from '../../images/store-parts.js';

/** A layer a step made (or took from the cache). */
export interface StepLayer {
  descriptor: Descriptor;
  diffId: string;
  chainId: string;
}

export interface StageState {
  /** The base image's manifest digest; null for scratch. */
  parent: string | null;
  /** Chain ids of the base image's layers, bottom first. */
  baseChains: string[];
  /** The base's created time (metadata steps inherit the last layer's). */
  baseCreated: string;
  layers: StepLayer[];
  history: HistoryEntry[];
  config: RuntimeConfig;
  vars: StageVariables;
  /** Running cache key: base identity, then every step so far. */
  key: string;
  /** The last layer-making step's created time (metadata steps take it). */
  lastCreated: string;
  author?: string;
  /** This stage set CMD (a later ENTRYPOINT then keeps it, as docker). */
  cmdSet?: boolean;
}

export function cloneState(s: StageState): StageState {
  return {
    ...s,
    baseChains: [...s.baseChains],
    layers: [...s.layers],
    history: [...s.history],
    config: structuredClone(s.config),
    vars: s.vars.clone(),
  };
}

/** A stage on a registered image (by reference or id). */
export function stateFromImage(s: StoreParts, ref: string, key: string): StageState | null {
  const found = findImage(s.l, ref);
  if (!found) return null;
  const m = found.meta;
  const config = structuredClone((m.config ?? {}) as RuntimeConfig);
  return {
    parent: m.manifestDigest,
    baseChains: m.layers.map((x) => x.chainId),
    baseCreated: m.created,
    layers: [],
    history: [],
    config,
    vars: StageVariables.fromImage(config.Env ?? []),
    key,
    lastCreated: m.created,
    ...(m.author ? { author: m.author } : {}),
  };
}

export function scratchState(key: string, created: string): StageState {
  const vars = StageVariables.fromImage([]);
  return { parent: null, baseChains: [], baseCreated: created, layers: [], history: [], config: { Env: vars.configEnv() }, vars, key, lastCreated: created };
}

/** Every chain id of the state, bottom first. */
export function chainsOf(st: StageState): string[] {
  return [...st.baseChains, ...st.layers.map((l) => l.chainId)];
}

/** The top layer's chain id (null: no layer yet). */
export function topChain(st: StageState): string | null {
  const c = chainsOf(st);
  return c.length ? c[c.length - 1] : null;
}

/** The state as a container's root filesystem: its snapshots, top first, and its config. */
export function rootfsOf(s: StoreParts, st: StageState): ImageRootfs {
  const chains = chainsOf(st);
  const lowerdirs = chains.map((c) => snapshotFs(s.l, c)).reverse();
  if (lowerdirs.length === 0) {
    fs.mkdirSync(s.l.empty, { recursive: true, mode: 0o755 });
    lowerdirs.push(s.l.empty);
  }
  // The base's /etc files are known from its record; a step may have changed them.
  const base = st.parent ? readMeta(s.l, st.parent) : null;
  const etc = base && st.layers.length === 0 ? { passwd: base.passwd, group: base.group } : readEtc(s, chains);
  const c = st.config;
  return {
    lowerdirs,
    layered: true,
    mounts: [],
    cmd: c.Cmd && c.Cmd.length ? c.Cmd : null,
    entrypoint: c.Entrypoint && c.Entrypoint.length ? c.Entrypoint : null,
    env: c.Env ?? [],
    workdir: c.WorkingDir || '/',
    user: c.User ?? '',
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    resolveUser: (u, g) => resolveUser(u, etc.passwd, etc.group, g),
  };
}
