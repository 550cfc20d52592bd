// hutch exec: runs a command in a running container; exits with its status.
import type { Verb } from '../context.js';
import type { ExecOptions } from '../../engine/types.js';
import { InvalidArgument } from '../../engine/errors.js';
import { RELAYED_SIGNALS } from '../../engine/signals.js';
import { readLinesFile, resolveEnv } from './container-options.js';

export const exec: Verb = {
  name: 'exec',
  summary: 'Execute a command in a running container',
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  options: [
    { long: ['detach'], short: 'd', kind: 'bool', help: 'Detached mode: run command in the background' },
    { long: ['interactive'], short: 'i', kind: 'bool', help: 'Keep STDIN open' },
    { long: ['tty'], short: 't', kind: 'bool', help: 'Allocate a pseudo-TTY' },
    { long: ['env'], short: 'e', kind: 'list', value: 'list', help: 'Set environment variables' },
    { long: ['workdir'], short: 'w', kind: 'string', help: 'Working directory inside the container' },
    { long: ['user'], short: 'u', kind: 'string', help: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    { long: ['env-file'], kind: 'list', value: 'list', help: 'Read in a file of environment variables' },
    { long: ['privileged'], kind: 'bool', help: 'Give extended privileges to the command' },
  ],
  stopAtPositional: true,
  minArgs: 2,
  examples: ['hutch exec -it web sh', 'hutch exec -e DEBUG=1 web ls -la /'],
  async run(ctx, p) {
    const [container, ...argv] = p.args;
    const tty = p.bool('tty');
    const detach = p.bool('detach');
    const interactive = p.bool('interactive') && !detach;
    if (tty && interactive && !ctx.stdinIsTTY) throw new InvalidArgument('the input device is not a TTY');
    const opts: ExecOptions = { tty, interactive, detach, stdio: 'inherit' };
    const env = [...p.list('env-file').flatMap((f) => resolveEnv(readLinesFile(f, 'env file'), ctx.env)), ...resolveEnv(p.list('env'), ctx.env)];
    if (env.length > 0) opts.env = env;
    const cwd = p.string('workdir');
    if (cwd !== undefined) opts.cwd = cwd;
    const user = p.string('user');
    if (user !== undefined) opts.user = user;
    if (p.bool('privileged')) opts.privileged = true;
    const engine = await ctx.engine();
    if (detach) return engine.exec(container, argv, opts);
    // The monitor is in a session of its own: what hutch is sent (Ctrl-C, SIGTERM,
    // a hangup, SIGWINCH) is relayed to the command; we stay to report its status.
    const signals = ctx.relaySignals(RELAYED_SIGNALS);
    try {
      return await engine.exec(container, argv, { ...opts, signals });
    } finally {
      signals.close();
    }
  },
};
