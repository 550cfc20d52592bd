// Container ids are 64 hex characters like docker's; names follow docker's rule
// `[a-zA-Z0-9][a-zA-Z0-9_.-]*` and are generated as adjective_noun when not given.
import { randomBytes } from 'node:crypto';

export function newId(): string {
  return randomBytes(32).toString('hex');
}

export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const ADJ = ['brisk', 'calm', 'eager', 'fuzzy', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nimble', 'quiet', 'rapid', 'sunny', 'tidy', 'vivid', 'witty', 'zesty'];
const NOUN = ['badger', 'beaver', 'bunny', 'ferret', 'hare', 'hedgehog', 'lynx', 'marmot', 'mole', 'otter', 'rabbit', 'shrew', 'stoat', 'vole', 'weasel', 'wombat'];

export function randomName(taken: Set<string>): string {
  for (let i = 0; ; i++) {
    const b = randomBytes(2);
    const n = `${ADJ[b[0] % ADJ.length]}_${NOUN[b[1] % NOUN.length]}${i > 20 ? i : ''}`;
    if (!taken.has(n)) return n;
  }
}
