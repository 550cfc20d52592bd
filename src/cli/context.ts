// What a verb gets: output streams, the environment, and a lazily opened engine.
// Tests build one with a fake engine and string buffers.
import type { EngineApi, SignalSource } from '../engine/types.js';
import type { ParsedArgs, OptionSpec } from './args.js';

export interface Output {
  write(chunk: string): boolean;
  /** Set on a terminal (process.stdout's own field): the dashboard draws only there. */
  readonly isTTY?: boolean;
  once?(event: 'drain', listener: () => void): unknown;
}

export interface CliDeps {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  stdinIsTTY: boolean;
  hostCpus: number;
  now(): Date;
  openEngine(): Promise<EngineApi>;
  /** Handles these signals (none of them ends hutch) until close(), for a verb to
   * relay to the container's monitor (engine/signals.ts). */
  relaySignals(signals: readonly NodeJS.Signals[]): SignalSource & { close(): void };
}

export interface CliContext extends CliDeps {
  /** The engine, opened on first use (help and usage errors never open it). */
  engine(): Promise<EngineApi>;
  /** Writes to stdout, waiting for 'drain' when the stream asks to. */
  out(text: string): Promise<void>;
  err(text: string): Promise<void>;
}

export interface Verb {
  name: string;
  summary: string;
  /** Usage after 'hutch NAME', e.g. '[OPTIONS] CONTAINER [CONTAINER...]'. */
  usage: string;
  options: OptionSpec[];
  /** Options end at the first positional argument (run, exec). */
  stopAtPositional?: boolean;
  minArgs?: number;
  maxArgs?: number;
  /** Extra help text after the options (examples). */
  examples?: string[];
  run(ctx: CliContext, args: ParsedArgs): Promise<number>;
}

export async function write(stream: Output, text: string): Promise<void> {
  if (text === '') return;
  if (!stream.write(text) && stream.once) {
    await new Promise<void>((resolve) => stream.once!('drain', resolve));
  }
}

export function makeContext(deps: CliDeps): CliContext {
  let engine: Promise<EngineApi> | undefined;
  return {
    ...deps,
    engine: () => (engine ??= deps.openEngine()),
    out: (text) => write(deps.stdout, text),
    err: (text) => write(deps.stderr, text),
  };
}
