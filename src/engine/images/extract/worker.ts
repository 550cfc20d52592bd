// Worker thread entry: runs extractions (run.ts) one request at a time and
// answers each with a single 'done' or 'error' message, plus throttled
// 'progress' messages on the way. host.ts keeps a finished worker for a while
// and sends it the next layer.
import { parentPort } from 'node:worker_threads';
import { ExtractError } from './error.js';
import type { ExtractResult, WhiteoutMode } from './index.js';
import { extractFile } from './run.js';

export interface WorkerRequest {
  source: string;
  root: string;
  whiteouts: WhiteoutMode;
  maxEntries?: number;
  maxDepth?: number;
  maxBytes?: number;
  allowDevices?: boolean;
  /** Whether the caller wants progress messages. */
  progress: boolean;
  /** [0] becomes 1 when the caller aborts. */
  abort: Int32Array;
}

export type WorkerReply =
  | { kind: 'progress'; bytesIn: number }
  | { kind: 'done'; result: ExtractResult }
  | { kind: 'error'; message: string; code?: string };

const PROGRESS_EVERY_MS = 100;

async function main(req: WorkerRequest): Promise<WorkerReply> {
  let last = 0;
  try {
    const result = await extractFile(req.source, req.root, {
      whiteouts: req.whiteouts,
      maxEntries: req.maxEntries,
      maxDepth: req.maxDepth,
      maxBytes: req.maxBytes,
      allowDevices: req.allowDevices,
      aborted: () => Atomics.load(req.abort, 0) !== 0,
      onProgress: req.progress
        ? (bytesIn, final) => {
            const now = performance.now();
            if (!final && now - last < PROGRESS_EVERY_MS) return;
            last = now;
            parentPort!.postMessage({ kind: 'progress', bytesIn } satisfies WorkerReply);
          }
        : undefined,
    });
    return { kind: 'done', result };
  } catch (e) {
    if (e instanceof ExtractError) return { kind: 'error', message: e.message, code: e.code };
    const x = e as NodeJS.ErrnoException;
    return { kind: 'error', message: `layer extraction failed: ${x?.message ?? String(e)}`, code: x?.code };
  }
}

parentPort?.on('message', (req: WorkerRequest) => {
  void main(req).then((reply) => parentPort!.postMessage(reply));
});
