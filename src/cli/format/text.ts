// Small text helpers for ids and commands.

/** Short id: 12 hex digits, without a 'sha256:' prefix. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Cuts `s` to `max` columns, the last being '…' (docker's Ellipsis). */
export function ellipsis(s: string, max: number): string {
  const chars = Array.from(s);
  if (chars.length <= max) return s;
  return chars.slice(0, max - 1).join('') + '…';
}

/** Double-quoted like Go's strconv.Quote for the usual cases. */
export function quote(s: string): string {
  return JSON.stringify(s);
}

/** docker ps COMMAND: argv joined by spaces, cut to 20 columns, quoted. */
export function formatCommand(argv: readonly string[], noTrunc = false): string {
  const s = argv.join(' ');
  return quote(noTrunc ? s : ellipsis(s, 20));
}
