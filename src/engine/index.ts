// Public entry of the engine library. Front ends import only from here.
export * from './types.js';
export * from './errors.js';
export { openEngine, Engine, type EngineOptions } from './engine.js';
export { processSignals, RELAYED_SIGNALS, type ProcessSignals } from './signals.js';
