// hutch start: starts stopped containers in the background; with -a, one container
// in the foreground (its output here, its status as ours), as docker start -a.
import type { Verb } from '../context.js';
import { InvalidArgument } from '../../engine/errors.js';
import { RELAYED_SIGNALS } from '../../engine/signals.js';
import { forEachContainer } from './common.js';
import { parseDetachKeys } from '../../engine/container/detach-keys.js';
import { UsageError } from '../errors.js';
import type { CliContext } from '../context.js';

/** After a reboot (hutch-restart.service): what docker's daemon restarts when it starts. */
async function startRestartable(ctx: CliContext, args: string[]): Promise<number> {
  if (args.length) throw new UsageError('--all-restartable takes no container names', 'start');
  const engine = await ctx.engine();
  const due = (await engine.list({ all: true })).filter((c) => {
    const p = c.spec.restartPolicy?.Name;
    return c.status !== 'running' && (p === 'always' || (p === 'unless-stopped' && !c.manuallyStopped));
  });
  return forEachContainer(ctx, due.map((c) => c.id), async (id) => (await engine.start(id)).name);
}

export const start: Verb = {
  name: 'start',
  summary: 'Start one or more stopped containers',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  options: [
    { long: ['attach'], short: 'a', kind: 'bool', help: "Attach STDOUT/STDERR and forward signals" },
    { long: ['interactive'], short: 'i', kind: 'bool', help: "Attach container's STDIN" },
    { long: ['detach-keys'], kind: 'string', help: 'Override the key sequence for detaching a container (default "ctrl-p,ctrl-q")' },
    { long: ['all-restartable'], kind: 'bool', help: 'Start every stopped container whose restart policy docker applies at boot (always; unless-stopped unless stopped by hand): the boot unit runs this' },
  ],
  examples: ['hutch start web', 'hutch start -ai box', 'hutch start --all-restartable'],
  async run(ctx, p) {
    if (p.bool('all-restartable')) return startRestartable(ctx, p.args);
    if (p.args.length === 0) throw new UsageError('"hutch start" requires at least 1 argument.', 'start');
    const attach = p.bool('attach') || p.bool('interactive');
    if (!attach) {
      const engine = await ctx.engine();
      return forEachContainer(ctx, p.args, async (c) => {
        await engine.start(c);
      });
    }
    if (p.args.length > 1) throw new InvalidArgument('you cannot start and attach multiple containers at once');
    const detachKeys = p.string('detach-keys');
    parseDetachKeys(detachKeys);
    const engine = await ctx.engine();
    const signals = ctx.relaySignals(RELAYED_SIGNALS);
    // The detach keys (a tty): the container runs on, we exit 0.
    let onDetach = () => {};
    const detached = new Promise<null>((r) => (onDetach = () => r(null)));
    try {
      const info = await engine.start(p.args[0], { attach: true, interactive: p.bool('interactive'), signals, detachKeys, onDetach });
      const result = await Promise.race([engine.wait(info.id), detached]);
      return result === null ? 0 : result.exitCode;
    } finally {
      signals.close();
    }
  },
};
