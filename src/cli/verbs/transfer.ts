// What pull and push share: the --insecure flag, and a progress view on stdout
// (redrawn in place on a terminal, plain lines otherwise).
import type { CliContext } from '../context.js';
import type { OptionSpec } from '../args.js';
import type { TransferProgress } from '../../engine/types.js';
import type { TransferMode } from '../format/progress.js';

export const insecureOption: OptionSpec = {
  long: ['insecure'],
  kind: 'bool',
  help: 'Use plain HTTP (allowed only for localhost, 127.0.0.1 and [::1] registries)',
};

export const quietOption: OptionSpec = { long: ['quiet'], short: 'q', kind: 'bool', help: 'Suppress verbose output' };

export interface Progress {
  onProgress?: (e: TransferProgress) => void;
  finish(): void;
}

export async function progressFor(ctx: CliContext, mode: TransferMode, quiet: boolean, to: 'stdout' | 'stderr' = 'stdout'): Promise<Progress> {
  if (quiet) return { finish() {} };
  const { ProgressView } = await import('../format/progress.js');
  const out = to === 'stdout' ? ctx.stdout : ctx.stderr;
  const stream = out as { isTTY?: boolean; columns?: number };
  const view = new ProgressView((s) => out.write(s), { tty: stream.isTTY === true, columns: stream.columns || 80, mode });
  return { onProgress: (e) => view.update(e), finish: () => view.finish() };
}
