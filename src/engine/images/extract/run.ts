// Drives one extraction inside the worker (body in progress).
import { ExtractError } from './error.js';
import type { ExtractResult, WhiteoutMode } from './index.js';

export interface RunOptions {
  whiteouts: WhiteoutMode;
  maxEntries?: number;
  maxDepth?: number;
  maxBytes?: number;
  allowDevices?: boolean;
  aborted?: () => boolean;
  onProgress?: (bytesIn: number, final: boolean) => void;
}

export async function extractFile(source: string, root: string, opts: RunOptions): Promise<ExtractResult> {
  void opts;
  throw new ExtractError(`layer ${source} -> ${root}: extraction not implemented yet`);
}
