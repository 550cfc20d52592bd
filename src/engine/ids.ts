// Container ids are 64 hex characters like docker's; names follow docker's rule
// `[a-zA-Z0-9][a-zA-Z0-9_.-]*` and are generated as adjective_noun when not given.
import fs from 'node:fs';

/** Random bytes from the kernel. Not node:crypto: loading it and seeding
 * OpenSSL's generator costs a few milliseconds of every `hutch run`. */
function randomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    for (let off = 0; off < n; ) off += fs.readSync(fd, b, off, n - off, null);
  } finally {
    fs.closeSync(fd);
  }
  return b;
}

/** `.<kind>-<pid>-<12 hex>`: a scratch name in the state tree that gc can tie to
 * the process that made it (and sweep once that process is gone). */
export function scratchName(kind: string): string {
  return `.${kind}-${process.pid}-${randomBytes(6).toString('hex')}`;
}

export function newId(): string {
  return randomBytes(32).toString('hex');
}

export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** A name is a file name (names/<name>) and may be part of derived ones: well under
 * NAME_MAX (255). docker sets no limit; a longer name is refused, not truncated. */
export const NAME_MAX_LEN = 128;

const ADJ = ['brisk', 'calm', 'eager', 'fuzzy', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nimble', 'quiet', 'rapid', 'sunny', 'tidy', 'vivid', 'witty', 'zesty'];
const NOUN = ['badger', 'beaver', 'bunny', 'ferret', 'hare', 'hedgehog', 'lynx', 'marmot', 'mole', 'otter', 'rabbit', 'shrew', 'stoat', 'vole', 'weasel', 'wombat'];

export function randomName(taken: Set<string>): string {
  for (let i = 0; ; i++) {
    const b = randomBytes(2);
    const n = `${ADJ[b[0] % ADJ.length]}_${NOUN[b[1] % NOUN.length]}${i > 20 ? i : ''}`;
    if (!taken.has(n)) return n;
  }
}
