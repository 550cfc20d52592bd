// Column-aligned tables the way docker prints them (Go's tabwriter with
// minwidth 10, padding 3): every column but the last is padded to
// max(widest cell + 3, 10); the last column is not padded.

/** Display width: counts code points, so '…' is one column. */
export function displayWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) =>
    Math.max(10, ...all.map((r) => displayWidth(r[col] ?? '') + 3)),
  );
  return all
    .map((r) =>
      r
        .map((cell, col) => (col === r.length - 1 ? cell : cell + ' '.repeat(widths[col] - displayWidth(cell))))
        .join(''),
    )
    .map((line) => line + '\n')
    .join('');
}
