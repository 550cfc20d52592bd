// Sizes: docker prints decimal units with 3 significant digits (go-units
// HumanSizeWithPrecision(n, 3)): 1.5GB, 256MB, 12.3kB, 0B. Limits are parsed
// with binary units (go-units RAMInBytes): 256m = 256 MiB.
import { InvalidArgument } from '../../engine/errors.js';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

export function humanSize(bytes: number): string {
  let size = Math.max(0, bytes);
  let i = 0;
  while (size >= 1000 && i < UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  // Rounding to 3 digits can reach 1000 (999.9kB): show it as the next unit.
  if (Number(size.toPrecision(3)) >= 1000 && i < UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return trimNumber(size.toPrecision(3)) + UNITS[i];
}

function trimNumber(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

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
