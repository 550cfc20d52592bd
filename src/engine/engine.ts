import type { EngineApi } from './types.js';

export interface EngineOptions {
  /** State root; default $HUTCH_ROOT or /var/lib/hutch. */
  root?: string;
}

/** Opens the state root, reconciles it with what is alive, and returns the engine. */
export async function openEngine(_opts: EngineOptions = {}): Promise<EngineApi> {
  throw new Error('not implemented yet');
}
