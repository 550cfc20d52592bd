// hutch commit: a container's changes as a new image; prints its id (sha256:…) as docker does.
import type { Verb } from '../context.js';

export const commit: Verb = {
  name: 'commit',
  summary: "Create a new image from a container's changes",
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  options: [
    { long: ['change'], short: 'c', kind: 'list', value: 'list', help: 'Apply Dockerfile instruction to the created image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)' },
    { long: ['message'], short: 'm', kind: 'string', help: 'Commit message' },
    { long: ['author'], short: 'a', kind: 'string', help: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    { long: ['pause'], short: 'p', kind: 'bool', help: 'Pause container during commit (default true)' },
  ],
  minArgs: 1,
  maxArgs: 2,
  examples: ['hutch commit -c "CMD [\\"nginx\\", \\"-g\\", \\"daemon off;\\"]" -m "site added" web mysite:1'],
  async run(ctx, p) {
    const pause = p.has('pause') ? p.bool('pause') : true;
    const r = await (await ctx.engine()).commit(p.args[0], {
      reference: p.args[1],
      changes: p.list('change'),
      message: p.string('message'),
      author: p.string('author'),
      pause,
    });
    if (r.readLive && pause) await ctx.err(`WARNING: container ${p.args[0]} could not be paused (its cgroup has no freezer): its files were read while it ran\n`);
    await ctx.out(`${r.id}\n`);
    return 0;
  },
};
