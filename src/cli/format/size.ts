// Sizes: docker prints decimal units with 3 significant digits (go-units
// HumanSizeWithPrecision(n, 3)): 1.5GB, 256MB, 12.3kB, 0B. Limits are parsed
// by the engine's parseBytes (src/engine/units.ts), binary units: 256m = 256 MiB.

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
