// Small statistics helpers for paired runs: medians and pair-by-pair ratios.
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface PairResult {
  a: number[];
  b: number[];
}

/** Runs a and b alternately n times (after `warmup` unrecorded pairs). Times in ms. */
export async function paired(n: number, warmup: number, a: () => Promise<void> | void, b: () => Promise<void> | void): Promise<PairResult> {
  const res: PairResult = { a: [], b: [] };
  for (let i = 0; i < n + warmup; i++) {
    const order: Array<[() => Promise<void> | void, number[]]> = i % 2 ? [[b, res.b], [a, res.a]] : [[a, res.a], [b, res.b]];
    for (const [fn, out] of order) {
      const t0 = process.hrtime.bigint();
      await fn();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (i >= warmup) out.push(ms);
    }
  }
  return res;
}

export function row(label: string, peer: string, r: PairResult, target?: number): string {
  const ratios = r.a.map((x, i) => x / r.b[i]);
  const ratio = median(ratios);
  const goal = target === undefined ? '' : `  target ≤ ${Number(target.toFixed(2))}× ${ratio <= target ? 'MET' : 'NOT MET'}`;
  return `${label.padEnd(34)} ${median(r.a).toFixed(2).padStart(8)} ms   ${peer.padEnd(22)} ${median(r.b).toFixed(2).padStart(8)} ms   ratio ${ratio.toFixed(2)} (pairs ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}, n=${r.a.length})${goal}`;
}
