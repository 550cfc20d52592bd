// hutch healthcheck run: podman's verb for one probe by hand (what a cron job could
// call). The container's own monitor runs it, as it runs the timed ones, so the
// result lands in the same State.Health and events; `healthy` exits 0 and prints
// nothing, anything else prints the status and exits 1 (podman's behaviour).
import type { Verb } from '../context.js';
import { managementVerb } from './subcommands.js';

const healthcheckRun: Verb = {
  name: 'healthcheck run',
  summary: "Run the container's health check now",
  usage: 'CONTAINER',
  options: [],
  minArgs: 1,
  maxArgs: 1,
  examples: ['hutch healthcheck run web'],
  async run(ctx, p) {
    const h = await (await ctx.engine()).healthcheckRun(p.args[0]);
    if (h.Status === 'healthy') return 0;
    await ctx.out(`${h.Status}\n`);
    return 1;
  },
};

export const healthcheck = managementVerb('healthcheck', 'Manage health checks on containers', { run: healthcheckRun }, ['hutch healthcheck run web']);
