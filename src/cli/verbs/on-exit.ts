// hutch __on-exit ROOT CGROUP-PARENT RUNROOT ID: not for people. A container's monitor
// runs it once the container's exit is recorded, while the container has a restart
// policy (engine/container/exit-command.ts: a marker file arms it), and any hutch
// that finds a pending restart's waiting process dead runs it again: the engine of
// that state root applies the policy or finishes the wait (restart-policy.ts). The
// root comes in the arguments: the monitor's environment may not have it.
import fs from 'node:fs';
import path from 'node:path';
import type { Verb } from '../context.js';

export const onExit: Verb = {
  name: '__on-exit',
  summary: "(internal) apply a container's restart policy after its exit",
  usage: 'ROOT CGROUP-PARENT RUNROOT CONTAINER',
  options: [],
  minArgs: 4,
  maxArgs: 4,
  async run(ctx, p) {
    const [root, parent, run, id] = p.args;
    // Most exits need nothing: read the record first, and open no engine (which would
    // make directories under a root that may be going away) unless a restart is due.
    let rec: { spec?: { restartPolicy?: { Name: string } }; manuallyStopped?: boolean };
    try {
      rec = JSON.parse(fs.readFileSync(path.join(root, 'containers', id, 'state.json'), 'utf8'));
    } catch {
      return 0; // removed
    }
    if (!rec.spec?.restartPolicy || rec.spec.restartPolicy.Name === 'no' || rec.manuallyStopped) return 0;
    process.env.HUTCH_ROOT = root;
    process.env.HUTCH_CGROUP_PARENT = parent;
    process.env.HUTCH_RUNROOT = run;
    await (await ctx.engine()).applyRestartPolicy(id);
    return 0;
  },
};
