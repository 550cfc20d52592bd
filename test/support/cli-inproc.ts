// Runs the CLI's main() in this process against an engine (a FakeEngine), with
// string buffers for stdout and stderr: the CLI unit tests' harness.
import { main } from '../../src/cli/cli.js';
import type { CliDeps } from '../../src/cli/context.js';
import type { EngineApi } from '../../src/engine/types.js';
import { FakeEngine } from './fake-engine.js';

export const NOW = new Date('2024-01-01T12:00:00Z');

class Buf {
  text = '';
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

export interface Result {
  code: number;
  out: string;
  err: string;
  opened: number;
  signals: string[][];
  restored: number;
}

export async function cli(argv: string[], engine: EngineApi = new FakeEngine(), deps: Partial<CliDeps> = {}): Promise<Result> {
  const stdout = new Buf();
  const stderr = new Buf();
  const r = { opened: 0, signals: [] as string[][], restored: 0 };
  const code = await main(argv, {
    stdout,
    stderr,
    env: { HOME: '/root', FROM_HOST: 'yes' },
    stdinIsTTY: true,
    hostCpus: 4,
    now: () => NOW,
    openEngine: async () => {
      r.opened++;
      return engine;
    },
    relaySignals: (s) => {
      r.signals.push([...s]);
      return { subscribe: () => () => {}, close: () => void r.restored++ };
    },
    ...deps,
  });
  return { code, out: stdout.text, err: stderr.text, ...r };
}

