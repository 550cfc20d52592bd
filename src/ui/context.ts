// What the parts of the controller (navigation, logs, the form, container
// actions, image actions) share: the store, the engine, the status line and a
// fresh read of the list. The controller builds one and hands it to each.
import type { EngineApi } from '../engine/types.js';
import type { DashboardConfig } from './config.js';
import type { UiState } from './state.js';
import type { Store } from './store.js';

/** Runs `task` with the terminal handed over (Ink unmounted, normal screen, cooked mode). */
export type Handoff = (banner: string, task: () => Promise<void>) => Promise<void>;

export interface UiContext {
  readonly store: Store<UiState>;
  readonly engine: EngineApi;
  readonly config: DashboardConfig;
  readonly handoff: Handoff;
  /** Keys read in the same chunk after the one that started the current hand-off: the shell's. */
  typeahead(): string;
  now(): number;
  /** The status line: a message that fades after a few seconds, an error after longer. */
  info(text: string): void;
  error(text: string): void;
  /** Re-reads the container list (after every action). */
  refresh(): Promise<void>;
}
