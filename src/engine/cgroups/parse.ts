// Parsers for cgroup interface files. Pure; values are JS numbers (counters beyond
// 2^53 lose precision, which no stat we show cares about).

function num(s: string | undefined): number {
  if (s === undefined) return 0;
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
}

/** "key value" per line: memory.stat, cpu.stat, memory.events, memory.oom_control. */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out[k] = num(v);
  }
  return out;
}

/** io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N ..." per device. */
export function parseIoStat(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const line of text.split('\n')) {
    const [dev, ...kvs] = line.trim().split(/\s+/);
    if (!dev || !/^\d+:\d+$/.test(dev)) continue;
    const row = (out[dev] ??= {});
    for (const kv of kvs) {
      const i = kv.indexOf('=');
      if (i > 0) row[kv.slice(0, i)] = num(kv.slice(i + 1));
    }
  }
  return out;
}

/** Read/write byte totals over every device of io.stat. */
export function ioStatTotals(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const row of Object.values(parseIoStat(text))) {
    read += row.rbytes ?? 0;
    write += row.wbytes ?? 0;
  }
  return { read, write };
}

/** blkio.*io_service_bytes: "MAJ:MIN Read N" lines (and Write/Sync/Async/Discard/Total),
 * then a "Total N" line. Sums Read and Write over devices. */
export function blkioTotals(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 3 || !/^\d+:\d+$/.test(f[0])) continue;
    const op = f[1].toLowerCase();
    if (op === 'read') read += num(f[2]);
    else if (op === 'write') write += num(f[2]);
  }
  return { read, write };
}

/** "max" (v2 limit files, pids.max) → null, else the number. */
export function parseMax(text: string): number | null {
  const t = text.trim();
  if (t === 'max' || t === '') return null;
  return num(t);
}

/** v1 memory limits: the kernel reports "unlimited" as a huge page-aligned value
 * (9223372036854771712 on x86-64); anything ≥ 2^62 means no limit. -1 too. */
export function parseV1Limit(text: string): number | null {
  const n = Number(text.trim());
  if (!Number.isFinite(n) || n < 0 || n >= 2 ** 62) return null;
  return n;
}

/** cgroup.procs / tasks: one pid per line. */
export function parsePids(text: string): number[] {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (/^\d+$/.test(t)) out.push(Number(t));
  }
  return out;
}
