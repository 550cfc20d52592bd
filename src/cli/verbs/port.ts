// hutch port: the container's published ports, as `docker port` prints them.
import type { Verb } from '../context.js';
import { InvalidArgument, NotFound } from '../../engine/errors.js';
import { formatPortLine } from '../../engine/network/ports.js';

export const port: Verb = {
  name: 'port',
  summary: 'List port mappings or a specific mapping for the container',
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  options: [],
  minArgs: 1,
  maxArgs: 2,
  examples: ['hutch port web', 'hutch port web 80/tcp'],
  async run(ctx, p) {
    const info = await (await ctx.engine()).inspect(p.args[0]);
    let ports = info.ports ?? [];
    if (p.args[1] !== undefined) {
      const m = /^(\d+)(?:\/(tcp|udp))?$/.exec(p.args[1]);
      if (!m) throw new InvalidArgument(`invalid port: ${p.args[1]}`);
      ports = ports.filter((x) => x.containerPort === Number(m[1]) && x.protocol === (m[2] ?? 'tcp'));
      if (ports.length === 0) throw new NotFound(`No public port '${m[1]}/${m[2] ?? 'tcp'}' published for ${info.name}`);
      await ctx.out(ports.map((x) => `${x.hostIp}:${x.hostPort}\n`).join(''));
      return 0;
    }
    await ctx.out(ports.map((x) => `${formatPortLine(x)}\n`).join(''));
    return 0;
  },
};
