// Fixed-size history of one series: O(1) push, no allocation per sample.
export class Ring {
  private buf: Float64Array;
  private start = 0;
  private len = 0;
  constructor(readonly capacity: number) {
    this.buf = new Float64Array(capacity);
  }
  push(v: number): void {
    const i = (this.start + this.len) % this.capacity;
    this.buf[i] = v;
    if (this.len < this.capacity) this.len++;
    else this.start = (this.start + 1) % this.capacity;
  }
  get length(): number {
    return this.len;
  }
  /** Oldest first. */
  toArray(): number[] {
    const out = new Array<number>(this.len);
    for (let i = 0; i < this.len; i++) out[i] = this.buf[(this.start + i) % this.capacity];
    return out;
  }
}
