// The calling thread's side of extractLayer: starts the worker, relays progress,
// turns the worker's answer back into a result or an ExtractError, and stops the
// worker when the caller aborts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ExtractError } from './error.js';
import type { ExtractOptions, ExtractResult } from './index.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

/** A finished worker stays this long for the next layer (a pull unpacks several). */
const IDLE_MS = 5000;

interface Slot {
  worker: Worker;
  /** Handles the reply to the request in flight. */
  onReply?: (m: WorkerReply) => void;
  onFail?: (e: Error) => void;
  idleTimer?: NodeJS.Timeout;
}

const idle: Slot[] = [];

/** The worker's module: worker.ts under tsx (tests, bench), extract-worker.cjs next to the bundle (scripts/build.mjs). */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Workers do not inherit tsx's loader: register it inside with tsx's ESM
    // API (found through tsx's own exports map), then load worker.ts.
    const pkg = createRequire(here).resolve('tsx/package.json');
    const exported = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api'];
    const api = new URL(exported.import.default, pathToFileURL(pkg)).href;
    const url = new URL('./worker.ts', here).href;
    const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
    return new Worker(code, { eval: true, trackUnmanagedFds: true });
  }
  return new Worker(new URL('./extract-worker.cjs', here), { trackUnmanagedFds: true });
}

function acquire(): Slot {
  const reused = idle.pop();
  if (reused) {
    clearTimeout(reused.idleTimer);
    reused.worker.ref();
    return reused;
  }
  const slot: Slot = { worker: startWorker() };
  const gone = (e: Error) => {
    const i = idle.indexOf(slot);
    if (i >= 0) idle.splice(i, 1);
    clearTimeout(slot.idleTimer);
    slot.onFail?.(e);
    slot.onReply = slot.onFail = undefined;
  };
  slot.worker.on('message', (m: WorkerReply) => slot.onReply?.(m));
  slot.worker.on('error', (e) => gone(e));
  slot.worker.on('exit', (code) => gone(new ExtractError(`layer extraction worker exited (${code}) without an answer`)));
  return slot;
}

/** Back to the pool; an idle worker does not keep the process alive. */
function release(slot: Slot): void {
  slot.onReply = slot.onFail = undefined;
  slot.worker.unref();
  slot.idleTimer = setTimeout(() => {
    const i = idle.indexOf(slot);
    if (i >= 0) idle.splice(i, 1);
    void slot.worker.terminate();
  }, IDLE_MS);
  slot.idleTimer.unref();
  idle.push(slot);
}

/** killAfterMs: how long an aborted worker has to stop by itself before it is terminated. */
export function runInWorker(source: string, root: string, opts: ExtractOptions, killAfterMs = 5000): Promise<ExtractResult> {
  const { signal, onProgress } = opts;
  if (signal?.aborted) return Promise.reject(signal.reason);
  // The worker polls this flag between chunks: it stops cleanly (fds closed).
  const abort = new Int32Array(new SharedArrayBuffer(4));
  const request: WorkerRequest = {
    source,
    root,
    whiteouts: opts.whiteouts,
    maxEntries: opts.maxEntries,
    maxDepth: opts.maxDepth,
    maxBytes: opts.maxBytes,
    allowDevices: opts.allowDevices,
    progress: onProgress !== undefined,
    abort,
  };
  return new Promise<ExtractResult>((resolve, reject) => {
    const slot = acquire();
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      Atomics.store(abort, 0, 1);
      settle(() => reject(signal!.reason));
      // A worker stuck in one long step still goes away. It runs no clean-up then:
      // Node closes the fds it opened (the layer's; trackUnmanagedFds), the addon
      // its extraction handles (an environment clean-up hook).
      killTimer = setTimeout(() => void slot.worker.terminate(), killAfterMs);
      killTimer.unref();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    slot.onReply = (m) => {
      if (m.kind === 'progress') {
        if (!settled) onProgress?.(m.bytesIn);
        return;
      }
      clearTimeout(killTimer);
      release(slot);
      if (m.kind === 'done') settle(() => resolve(m.result));
      else settle(() => reject(new ExtractError(m.message, m.code)));
    };
    slot.onFail = (e) => {
      clearTimeout(killTimer);
      settle(() => reject(e instanceof ExtractError ? e : new ExtractError(`layer extraction failed: ${e.message}`)));
    };
    slot.worker.postMessage(request);
  });
}
