// hutch attach: our terminal to a running container's stdio, as docker attach: its
// output from now on, our stdin to it (when created with -i), its exit status as
// ours; the detach keys (Ctrl-P Ctrl-Q) leave it running and exit 0.
import type { Verb } from '../context.js';
import { InvalidArgument } from '../../engine/errors.js';
import { RELAYED_SIGNALS } from '../../engine/signals.js';
import { parseDetachKeys } from '../../engine/container/detach-keys.js';
import { outputStream } from './save.js';

export const attach: Verb = {
  name: 'attach',
  summary: "Attach local standard input, output, and error streams to a running container",
  usage: '[OPTIONS] CONTAINER',
  options: [
    { long: ['detach-keys'], kind: 'string', help: 'Override the key sequence for detaching a container (default "ctrl-p,ctrl-q")' },
    { long: ['no-stdin'], kind: 'bool', help: 'Do not attach STDIN' },
    { long: ['sig-proxy'], kind: 'bool', help: 'Proxy all received signals to the process (default true; only without a tty, as docker)' },
  ],
  minArgs: 1,
  maxArgs: 1,
  examples: ['hutch attach web', 'hutch attach --detach-keys ctrl-a,x box', 'hutch attach --no-stdin --sig-proxy=false web'],
  async run(ctx, p) {
    const detachKeys = p.string('detach-keys');
    parseDetachKeys(detachKeys); // a bad value is refused before anything is touched
    const engine = await ctx.engine();
    const info = await engine.inspect(p.args[0]);
    const useStdin = !p.bool('no-stdin') && !!info.spec.interactive;
    // docker's CheckTty: a tty container's input must come from a terminal.
    if (info.status === 'running' && info.spec.tty && useStdin && !ctx.stdinIsTTY) throw new InvalidArgument('the input device is not a TTY');
    const sigProxy = !p.has('sig-proxy') || p.bool('sig-proxy');
    // SIGWINCH resizes a tty container; with sig-proxy the others are sent to the container.
    // (A tty container has its keys in raw mode: docker proxies nothing to it.)
    const signals = ctx.relaySignals(sigProxy && !info.spec.tty ? RELAYED_SIGNALS : ['SIGWINCH']);
    const stdout = outputStream(ctx.stdout);
    const stderr = outputStream(ctx.stderr);
    try {
      const r = await engine.attach(info.id, {
        stdin: useStdin ? process.stdin : null,
        stdout,
        stderr,
        detachKeys,
        signals,
        size: () => (process.stdout.isTTY ? { rows: process.stdout.rows, columns: process.stdout.columns } : undefined),
      });
      await Promise.all([stdout, stderr].map((s) => new Promise((resolve) => s.end(resolve))));
      return r.detached ? 0 : (r.exitCode ?? 0);
    } finally {
      signals.close();
    }
  },
};
