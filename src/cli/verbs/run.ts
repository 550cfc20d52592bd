// hutch run: create + start. Detached prints the id; in the foreground the
// monitor copies the container's output to our terminal and we exit with the
// container's status.
import type { Verb } from '../context.js';
import { InvalidArgument } from '../../engine/errors.js';
import { RELAYED_SIGNALS } from '../../engine/signals.js';
import { buildSpec, checkCidfile, containerOptions, writeCidfile } from './container-options.js';
import { createPulling, pullMode } from './image-for-run.js';
import { parseDetachKeys } from '../../engine/container/detach-keys.js';
import type { AttachStream } from '../../engine/types.js';

/** `-a STREAM` (repeatable): docker's rule, only the named streams are attached. */
function attachStreams(values: string[], detach: boolean): AttachStream[] | undefined {
  if (values.length === 0) return undefined;
  if (detach) throw new InvalidArgument('Conflicting options: -a and -d');
  return values.map((v) => {
    const s = v.toLowerCase();
    if (s !== 'stdin' && s !== 'stdout' && s !== 'stderr')
      throw new InvalidArgument(`invalid argument "${v}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
    return s;
  });
}

export const run: Verb = {
  name: 'run',
  summary: 'Create and run a new container from an image',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  options: [
    { long: ['detach'], short: 'd', kind: 'bool', help: 'Run container in background and print container ID' },
    { long: ['sig-proxy'], kind: 'bool', help: 'Proxy received signals to the process (default true; --sig-proxy=false leaves them to hutch)' },
    { long: ['attach'], short: 'a', kind: 'list', value: 'list', help: 'Attach to STDIN, STDOUT or STDERR (only those named)' },
    { long: ['detach-keys'], kind: 'string', help: 'Override the key sequence for detaching a container (default "ctrl-p,ctrl-q")' },
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
    const streams = attachStreams(p.list('attach'), detach);
    const detachKeys = p.string('detach-keys');
    parseDetachKeys(detachKeys);
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
      // The detach keys (run -it): the container runs on, we exit 0 (docker).
      let onDetach = () => {};
      const detached = new Promise<null>((r) => (onDetach = () => r(null)));
      try {
        const attached = detach ? {} : { onDetach, ...(detachKeys !== undefined ? { detachKeys } : {}), ...(streams ? { streams } : {}) };
        await engine.start(info.id, { attach: !detach, signals, ...attached });
      } catch (e) {
        await engine.remove(info.id, { force: true, volumes: true }).catch(() => {});
        throw e;
      }
      if (detach) {
        await ctx.out(`${info.id}\n`);
        return 0;
      }
      const result = await Promise.race([engine.wait(info.id), detached]);
      return result === null ? 0 : result.exitCode;
    } finally {
      signals?.close();
    }
  },
};
