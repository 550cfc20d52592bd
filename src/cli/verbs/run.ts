// hutch run: create + start. Detached prints the id; in the foreground the
// monitor copies the container's output to our terminal and we exit with the
// container's status.
import type { Verb } from '../context.js';
import { InvalidArgument } from '../../engine/errors.js';
import { RELAYED_SIGNALS } from '../../engine/signals.js';
import { buildSpec, checkCidfile, containerOptions, writeCidfile } from './container-options.js';
import { createPulling, pullMode } from './image-for-run.js';

export const run: Verb = {
  name: 'run',
  summary: 'Create and run a new container from an image',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  options: [
    { long: ['detach'], short: 'd', kind: 'bool', help: 'Run container in background and print container ID' },
    { long: ['sig-proxy'], kind: 'bool', help: 'Proxy received signals to the process (default true; --sig-proxy=false leaves them to hutch)' },
    ...containerOptions,
  ],
  stopAtPositional: true,
  minArgs: 1,
  examples: ['hutch run --rm -it host sh', 'hutch run -d --name web -m 256m --cpus 0.5 host sleep 1000'],
  async run(ctx, p) {
    const spec = buildSpec(ctx, p);
    const pull = pullMode(p.string('pull'));
    const cidfile = p.string('cidfile');
    if (cidfile !== undefined) checkCidfile(cidfile);
    const detach = p.bool('detach');
    if (!detach && spec.interactive && spec.tty && !ctx.stdinIsTTY) {
      throw new InvalidArgument('the input device is not a TTY');
    }
    const engine = await ctx.engine();
    // Attached, the signals sent to hutch (from the terminal, or to its pid alone:
    // a supervisor's SIGTERM, a hangup) go to the container, as docker's sig-proxy
    // does; one that comes before the container runs is delivered once it does. We
    // outlive the container to report its status and remove an --rm one.
    // --sig-proxy=false: a Ctrl-C ends this client only; the container runs on.
    const sigProxy = !p.has('sig-proxy') || p.bool('sig-proxy');
    const signals = detach || !sigProxy ? undefined : ctx.relaySignals(RELAYED_SIGNALS);
    try {
      const info = await createPulling(ctx, engine, spec, pull);
      if (cidfile !== undefined) writeCidfile(cidfile, info.id);
      // A container whose start failed (command not found, bad working directory…)
      // is removed again, with its anonymous volumes: bad input leaves nothing behind.
      try {
        await engine.start(info.id, { attach: !detach, signals });
      } catch (e) {
        await engine.remove(info.id, { force: true, volumes: true }).catch(() => {});
        throw e;
      }
      if (detach) {
        await ctx.out(`${info.id}\n`);
        return 0;
      }
      const result = await engine.wait(info.id);
      return result.exitCode;
    } finally {
      signals?.close();
    }
  },
};
