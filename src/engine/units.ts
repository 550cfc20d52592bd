// Sizes as the engine takes them: bytes. Limits are written with binary units
// as docker parses them (go-units RAMInBytes): 256m = 256 MiB. The command line
// and the dashboard's form both read memory limits through here; printing sizes
// for people stays at each edge (src/cli/format/size.ts, src/ui/format.ts).
import { InvalidArgument } from './errors.js';

const MULT: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** '256m' | '1g' | '512k' | '1024' | '1.5g' | '256mb' → bytes (binary units). */
export function parseBytes(value: string): number {
  const m = /^(\d+(?:\.\d+)?) ?([bkmgtp]?)(i?b)?$/i.exec(value.trim());
  if (!m || (m[2].toLowerCase() === 'b' && m[3])) {
    throw new InvalidArgument(`invalid memory value: ${JSON.stringify(value)}`);
  }
  const bytes = Math.floor(Number(m[1]) * MULT[m[2].toLowerCase()]);
  if (!Number.isSafeInteger(bytes)) throw new InvalidArgument(`invalid memory value: ${JSON.stringify(value)}`);
  return bytes;
}
