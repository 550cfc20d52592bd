// Fixed-size history of one series: O(1) push, no allocation per sample.
export class Ring {
  private buf: Float64Array;
  private start = 0;
  private len = 0;
  /** toArray()'s last result, until the next push: every reader of one sweep shares one copy. */
  private snapshot: readonly number[] | undefined;
  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }
  push(v: number): void {
    this.snapshot = undefined;
    const i = (this.start + this.len) % this.capacity;
    this.buf[i] = v;
    if (this.len < this.capacity) this.len++;
    else this.start = (this.start + 1) % this.capacity;
  }
  get length(): number {
    return this.len;
  }
  /** The last `n` values (fewer when there are fewer), oldest first. */
  tail(n: number): number[] {
    const k = Math.max(0, Math.min(n, this.len));
    const out = new Array<number>(k);
    for (let i = 0; i < k; i++) out[i] = this.buf[(this.start + this.len - k + i) % this.capacity];
    return out;
  }

  /** Oldest first; the same (frozen) array until the next push. */
  toArray(): readonly number[] {
    if (this.snapshot) return this.snapshot;
    const out = new Array<number>(this.len);
    for (let i = 0; i < this.len; i++) out[i] = this.buf[(this.start + i) % this.capacity];
    this.snapshot = Object.freeze(out);
    return this.snapshot;
  }
}
