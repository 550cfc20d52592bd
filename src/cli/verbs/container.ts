// hutch container COMMAND: docker's management spellings of the container verbs
// (`container ls`, `container rm`…), each the same verb with the same options;
// `prune` lives only here, as in docker.
import type { Verb } from '../context.js';
import { humanSize } from '../format/size.js';
import { managementVerb } from './subcommands.js';
import { confirmed } from './system.js';
import { run } from './run.js';
import { create } from './create.js';
import { ps } from './ps.js';
import { start } from './start.js';
import { stop } from './stop.js';
import { restart } from './restart.js';
import { kill } from './kill.js';
import { rm } from './rm.js';
import { logs } from './logs.js';
import { exec } from './exec.js';
import { attach } from './attach.js';
import { containerInspect } from './inspect.js';
import { top } from './top.js';
import { pause } from './pause.js';
import { unpause } from './unpause.js';
import { rename } from './rename.js';
import { update } from './update.js';
import { wait } from './wait.js';
import { port } from './port.js';
import { cp } from './cp.js';
import { exportVerb } from './export.js';
import { diff } from './diff.js';
import { commit } from './commit.js';

export const containerPrune: Verb = {
  name: 'container prune',
  summary: 'Remove all stopped containers',
  usage: '[OPTIONS]',
  options: [{ long: ['force'], short: 'f', kind: 'bool', help: 'Do not prompt for confirmation' }],
  maxArgs: 0,
  examples: ['hutch container prune -f'],
  async run(ctx, p) {
    if (!(await confirmed(ctx, p.bool('force'), 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] '))) return 0;
    const r = await (await ctx.engine()).pruneContainers();
    let text = '';
    if (r.deleted.length) text += `Deleted Containers:\n${r.deleted.map((id) => `${id}\n`).join('')}\n`;
    await ctx.out(`${text}Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
    return 0;
  },
};

const subcommands: Record<string, Verb> = {
  ls: ps,
  list: ps,
  ps,
  run,
  create,
  start,
  stop,
  restart,
  kill,
  rm,
  remove: rm,
  logs,
  exec,
  attach,
  inspect: containerInspect,
  top,
  pause,
  unpause,
  rename,
  update,
  wait,
  port,
  cp,
  export: exportVerb,
  diff,
  commit,
  prune: containerPrune,
};

export const container: Verb = managementVerb('container', 'Manage containers (ls, run, create, start, stop, rm, logs, exec, inspect, top, prune…)', subcommands, [
  'hutch container ls -a',
  'hutch container prune -f',
]);
