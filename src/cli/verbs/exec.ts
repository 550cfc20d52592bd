// hutch exec: runs a command in a running container; exits with its status.
import type { Verb } from '../context.js';
import type { ExecOptions } from '../../engine/types.js';
import { InvalidArgument } from '../../engine/errors.js';
import { resolveEnv } from './container-options.js';

export const exec: Verb = {
  name: 'exec',
  summary: 'Execute a command in a running container',
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  options: [
    { long: ['interactive'], short: 'i', kind: 'bool', help: 'Keep STDIN open' },
    { long: ['tty'], short: 't', kind: 'bool', help: 'Allocate a pseudo-TTY' },
    { long: ['env'], short: 'e', kind: 'list', value: 'list', help: 'Set environment variables' },
    { long: ['workdir'], short: 'w', kind: 'string', help: 'Working directory inside the container' },
  ],
  stopAtPositional: true,
  minArgs: 2,
  examples: ['hutch exec -it web sh', 'hutch exec -e DEBUG=1 web ls -la /'],
  async run(ctx, p) {
    const [container, ...argv] = p.args;
    const tty = p.bool('tty');
    if (tty && p.bool('interactive') && !ctx.stdinIsTTY) throw new InvalidArgument('the input device is not a TTY');
    const opts: ExecOptions = { tty, stdio: 'inherit' };
    const env = resolveEnv(p.list('env'), ctx.env);
    if (env.length > 0) opts.env = env;
    const cwd = p.string('workdir');
    if (cwd !== undefined) opts.cwd = cwd;
    const engine = await ctx.engine();
    // Without a tty, the terminal's Ctrl-C reaches the command itself (it shares
    // our process group); we stay to report its status.
    const restore = ctx.ignoreSignals(['SIGINT']);
    try {
      return await engine.exec(container, argv, opts);
    } finally {
      restore();
    }
  },
};
