// Progress events of one pull or push, per blob. Byte counts arrive per network
// chunk; listeners (a terminal redrawn in place, the dashboard) get at most one
// event per blob per interval, and every phase change and completion at once.
import type { TransferPhase, TransferProgress } from '../types.js';

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

export class ProgressEmitter {
  private last = new Map<string, { phase: TransferPhase; at: number }>();

  constructor(
    private readonly listener: ((e: TransferProgress) => void) | undefined,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  emit(digest: string, phase: TransferPhase, current = 0, total = 0): void {
    if (!this.listener) return;
    const prev = this.last.get(digest);
    const t = this.now();
    if (prev && prev.phase === phase && current < total && t - prev.at < this.intervalMs) return;
    this.last.set(digest, { phase, at: t });
    try {
      this.listener({ id: shortDigest(digest), digest, phase, current, total });
    } catch {
      // A failing listener must not fail the transfer.
    }
  }
}

/** Runs fn over items, at most `limit` at once; the first failure aborts the rest
 * (through the signal given to each call) and is thrown once all have stopped. */
export async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T, signal: AbortSignal) => Promise<void>, outer?: AbortSignal): Promise<void> {
  const ctrl = new AbortController();
  const onAbort = () => ctrl.abort(outer!.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && !ctrl.signal.aborted && next < items.length) {
      const item = items[next++];
      try {
        await fn(item, ctrl.signal);
      } catch (e) {
        if (!failure) {
          failure = { error: e };
          ctrl.abort(e);
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  } finally {
    outer?.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure.error;
  if (outer?.aborted) throw outer.reason;
}
