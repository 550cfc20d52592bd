// docker's `--user` / image `User` resolution (moby/sys/user GetExecUser) over the
// image's /etc/passwd and /etc/group contents. Pure: the caller reads the files
// (see etcfiles.ts), nothing from the image is ever executed or loaded.
import { InvalidArgument } from '../errors.js';
import type { ResolvedUser } from './store.js';

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2 ** 31 - 1;

function id(s: string): number | null {
  if (!/^\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return n <= MAX_ID ? n : null;
}

export function parsePasswd(text: string | null): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    const uid = id(f[2] ?? '');
    const gid = id(f[3] ?? '');
    if (!f[0] || uid === null || gid === null) continue;
    out.push({ name: f[0], uid, gid, home: f[5] || '/' });
  }
  return out;
}

export function parseGroup(text: string | null): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    const gid = id(f[2] ?? '');
    if (!f[0] || gid === null) continue;
    out.push({ name: f[0], gid, members: (f[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean) });
  }
  return out;
}

/**
 * `spec` is '', `name`, `uid`, `uid:gid`, `name:group` (any mix). An unknown name is an
 * error; an unknown numeric uid runs with gid 0 (as docker does). Without an explicit
 * group, the groups that list the user as a member become its additional gids.
 * `groupAdd` (--group-add: gids, or names of the image's groups) are added to them.
 */
export function resolveUser(spec: string, passwdText: string | null, groupText: string | null, groupAdd: readonly string[] = []): ResolvedUser {
  const colon = spec.indexOf(':');
  const userPart = colon < 0 ? spec : spec.slice(0, colon);
  const groupPart = colon < 0 ? undefined : spec.slice(colon + 1);
  const passwd = parsePasswd(passwdText);
  let uid = 0;
  let gid = 0;
  let entry: PasswdEntry | undefined;
  if (userPart === '') {
    entry = passwd.find((p) => p.uid === 0);
  } else {
    const n = id(userPart);
    if (n !== null) {
      uid = n;
      entry = passwd.find((p) => p.uid === n);
    } else {
      if (userPart.startsWith('-') || /^\d+$/.test(userPart)) throw new InvalidArgument(`invalid user ${JSON.stringify(spec)}: uid out of range`);
      entry = passwd.find((p) => p.name === userPart);
      if (!entry) throw new InvalidArgument(`unable to find user ${userPart}: no matching entries in passwd file`);
    }
  }
  if (entry) {
    uid = entry.uid;
    gid = entry.gid;
  }
  const groups = parseGroup(groupText);
  const additionalGids: number[] = [];
  if (groupPart !== undefined && groupPart !== '') {
    const n = id(groupPart);
    if (n !== null) gid = n;
    else {
      if (/^-?\d+$/.test(groupPart)) throw new InvalidArgument(`invalid group ${JSON.stringify(groupPart)}: gid out of range`);
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw new InvalidArgument(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  } else if (entry) {
    for (const g of groups) if (g.members.includes(entry.name) && g.gid !== gid && !additionalGids.includes(g.gid)) additionalGids.push(g.gid);
  }
  for (const g of groupAdd) {
    const n = id(g);
    const found = n ?? groups.find((x) => x.name === g)?.gid;
    if (found === undefined) throw new InvalidArgument(`Unable to find group ${g}: no matching entries in group file`);
    if (!additionalGids.includes(found)) additionalGids.push(found);
  }
  const out: ResolvedUser = { uid, gid, additionalGids };
  if (entry) out.home = entry.home;
  return out;
}
