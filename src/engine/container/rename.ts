// `rename`: the new name is claimed first (one symlink in the names directory,
// made atomically: of two renames or creates racing for a name, one wins), then
// the record says it, then the old name goes. On user networks with DNS the
// container answers to its new name from then on (its old one is dropped).
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from '../errors.js';
import { NAME_MAX_LEN, NAME_RE } from '../ids.js';
import { registerNames, unregisterNames } from '../network/names.js';
import { findNetwork } from '../network/store.js';
import type { Endpoint } from '../types.js';
import { lockContainer, mustLoad, namesDir, type Ctx } from './context.js';
import { claimName } from './create.js';
import { reconcile } from './reconcile.js';
import { saveRecord, type ContainerRecord } from './record.js';

export function checkNewName(name: string): void {
  if (!name) throw new InvalidArgument('Neither old nor new names may be empty');
  if (!NAME_RE.test(name.replace(/^\//, '')) || name.length > NAME_MAX_LEN)
    throw new InvalidArgument(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
}

export async function renameContainer(ctx: Ctx, id: string, newName: string): Promise<ContainerRecord> {
  checkNewName(newName);
  const name = newName.replace(/^\//, '');
  return lockContainer(ctx, id, async () => {
    const rec = await reconcile(ctx, mustLoad(ctx, id));
    if (rec.name === name) throw new InvalidArgument('Renaming a container with the same name as its current name');
    claim(ctx, name, id);
    const endpoints = (rec.endpoints ?? []).map((e) => renamedEndpoint(ctx, e, rec.name, name));
    const next: ContainerRecord = { ...rec, name, ...(rec.endpoints ? { endpoints } : {}) };
    try {
      saveRecord(next);
    } catch (e) {
      fs.rmSync(path.join(namesDir(ctx), name), { force: true });
      throw e;
    }
    const old = path.join(namesDir(ctx), rec.name);
    try {
      if (fs.readlinkSync(old) === id) fs.unlinkSync(old);
    } catch {
      /* already gone */
    }
    return next;
  });
}

/** The name's symlink, as create claims one; a link left by a removed container is taken over. */
/** The names dir may be new (a root with no named container yet); then create.ts's atomic claim. */
function claim(ctx: Ctx, name: string, id: string): void {
  fs.mkdirSync(namesDir(ctx), { recursive: true, mode: 0o700 });
  claimName(ctx, name, id);
}

/** The endpoint with the old name replaced among its aliases, and its DNS entry moved. */
function renamedEndpoint(ctx: Ctx, e: Endpoint, from: string, to: string): Endpoint {
  if (!e.aliases.includes(from)) return e;
  const next = { ...e, aliases: e.aliases.map((a) => (a === from ? to : a)) };
  if (findNetwork(ctx.paths, e.networkId)?.dns) {
    unregisterNames(ctx.paths, { ...e, aliases: [from] });
    registerNames(ctx.paths, { ...e, aliases: [to] });
  }
  return next;
}
