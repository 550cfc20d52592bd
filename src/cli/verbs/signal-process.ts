// hutch signal-process CONTAINER PID SIGNAL: not for people (unlisted). The detail
// view of a dashboard on another machine runs it here over ssh to send a signal to
// one process of a container (the signal menu, `S`): the engine refuses a pid that is
// not in the container's cgroup right then, as it does for a local dashboard.
import type { Verb } from '../context.js';
import { InvalidArgument } from '../../engine/errors.js';

export const signalProcess: Verb = {
  name: 'signal-process',
  summary: "(internal) send a signal to one process of a container, for a dashboard on another machine",
  usage: 'CONTAINER PID SIGNAL',
  options: [],
  minArgs: 3,
  maxArgs: 3,
  async run(ctx, p) {
    const [id, pidArg, signal] = p.args;
    const pid = Number(pidArg);
    if (!/^[1-9]\d*$/.test(pidArg) || !Number.isSafeInteger(pid)) throw new InvalidArgument(`signal-process: ${JSON.stringify(pidArg)} is not a process id`);
    await (await ctx.engine()).signalProcess(id, pid, /^\d+$/.test(signal) ? Number(signal) : signal);
    return 0;
  },
};
