// Axis maxima that read well: 1, 2, 2.5, 5 × 10^k for plain numbers and powers
// of two times 1, 1.5… for byte counts are overkill: charts use these two.

/** The smallest of 1, 2, 2.5, 5 × 10^k that is ≥ v (1 for v ≤ 0). */
export function niceCeil(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const exp = Math.floor(Math.log10(v));
  for (let e = exp - 1; e <= exp + 1; e++) {
    const base = 10 ** e;
    for (const m of [1, 2, 2.5, 5, 10]) {
      const candidate = m * base;
      // Tolerate floating-point noise (0.30000000000000004).
      if (candidate >= v * (1 - 1e-12)) return Number(candidate.toPrecision(12));
    }
  }
  return 10 ** (exp + 1);
}

/** The smallest power of two times 1, 1.25, 1.5 or 1.75 that is ≥ v bytes (1024 at least). */
export function niceBytesCeil(v: number): number {
  if (!(v > 1024) || !Number.isFinite(v)) return 1024;
  let p = 2 ** Math.floor(Math.log2(v));
  for (const m of [1, 1.25, 1.5, 1.75, 2]) if (p * m >= v) return p * m;
  p *= 2;
  return p;
}
