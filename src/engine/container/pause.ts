// `pause` and `unpause`: the container's cgroup is frozen (v1 freezer.state, v2
// cgroup.freeze), as docker does; its processes stay in memory but get no CPU.
// The record says `paused` (status stays 'running': the monitor and the init are
// alive), so every other verb sees it; stop and kill thaw it first, as docker
// does, since a frozen process cannot act on (or, on v1, even die of) a signal.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Conflict, SystemError } from '../errors.js';
import { lockContainer, mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import { saveRecord, type ContainerRecord } from './record.js';

interface Freezer {
  file: string;
  frozen: string;
  thawed: string;
  /** The file that tells when the freeze is complete, and how to read it. */
  state: string;
  done(text: string): boolean;
}

/** The container's freezer, or null when its cgroup has none. */
export function freezerOf(paths: Record<string, string> | undefined): Freezer | null {
  const p = paths ?? {};
  if (p.freezer && fs.existsSync(path.join(p.freezer, 'freezer.state'))) {
    const f = path.join(p.freezer, 'freezer.state');
    return { file: f, frozen: 'FROZEN', thawed: 'THAWED', state: f, done: (t) => t.trim() === 'FROZEN' };
  }
  if (p.unified && fs.existsSync(path.join(p.unified, 'cgroup.freeze')))
    return { file: path.join(p.unified, 'cgroup.freeze'), frozen: '1', thawed: '0', state: path.join(p.unified, 'cgroup.events'), done: (t) => /^frozen 1$/m.test(t) };
  return null;
}

/** Freezes and waits (2 s at most) until every process is frozen; thaws again if not. */
async function freezeAll(rec: ContainerRecord, f: Freezer): Promise<void> {
  fs.writeFileSync(f.file, f.frozen);
  for (let waited = 0; !f.done(fs.readFileSync(f.state, 'utf8')); waited += 5) {
    if (waited >= 2000) {
      fs.writeFileSync(f.file, f.thawed);
      throw new SystemError(`pausing container ${rec.name}: its processes did not freeze within 2 s`);
    }
    await sleep(5);
  }
}

export async function pauseContainer(ctx: Ctx, id: string): Promise<ContainerRecord> {
  return lockContainer(ctx, id, async () => {
    const rec = await reconcile(ctx, mustLoad(ctx, id));
    if (rec.status !== 'running') throw new Conflict(`Container ${rec.id} is not running`);
    if (rec.paused) throw new Conflict(`Container ${rec.id} is already paused`);
    const f = freezerOf(rec.cgroupPaths);
    if (!f) throw new SystemError(`pausing container ${rec.name}: its cgroup has no freezer (no v1 freezer controller, no cgroup.freeze)`);
    await freezeAll(rec, f);
    const next = { ...rec, paused: true };
    saveRecord(next);
    return next;
  });
}

export async function unpauseContainer(ctx: Ctx, id: string): Promise<ContainerRecord> {
  return lockContainer(ctx, id, async () => {
    const rec = await reconcile(ctx, mustLoad(ctx, id));
    if (rec.status !== 'running' || !rec.paused) throw new Conflict(`Container ${rec.id} is not paused`);
    return thaw(rec);
  });
}

/** Thaws the cgroup and saves the record unpaused (the caller holds the lock: rm -f). */
export function thaw(rec: ContainerRecord): ContainerRecord {
  const f = freezerOf(rec.cgroupPaths);
  if (f) fs.writeFileSync(f.file, f.thawed);
  const next = unpaused(rec);
  saveRecord(next);
  return next;
}

/** stop, kill, rm -f: a paused container is thawed before it is signalled. */
export async function thawForSignal(ctx: Ctx, rec: ContainerRecord): Promise<ContainerRecord> {
  if (!rec.paused) return rec;
  return lockContainer(ctx, rec.id, async () => {
    const now = mustLoad(ctx, rec.id);
    return now.paused ? thaw(now) : now;
  });
}

/** The record without its paused mark: a container that exited or started again is not paused. */
export function unpaused<T extends { paused?: boolean }>(rec: T): T {
  if (!('paused' in rec)) return rec;
  const { paused: _p, ...rest } = rec;
  return rest as T;
}
