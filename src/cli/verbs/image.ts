// hutch image SUBCOMMAND: docker's management form (ls, inspect, prune, rm, tag, save,
// load, import); `inspect` and `prune` live only here.
import type { Verb } from '../context.js';
import { confirm } from './common.js';
import { managementVerb } from './subcommands.js';
import { FORMAT_OPTION, printInspected } from '../format/inspect-output.js';
import { humanSize } from '../format/size.js';
import { images } from './images.js';
import { rmi } from './rmi.js';
import { tag } from './tag.js';
import { save } from './save.js';
import { load } from './load.js';
import { importVerb } from './import.js';
import { build } from './build.js';
import { history } from './history.js';

export const imageInspect: Verb = {
  name: 'image inspect',
  summary: 'Display detailed information on one or more images (JSON)',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  options: [FORMAT_OPTION],
  minArgs: 1,
  examples: ['hutch image inspect busybox', "hutch image inspect -f '{{.Id}}' busybox"],
  async run(ctx, p) {
    const engine = await ctx.engine();
    return printInspected(ctx, p.args, p.string('format'), (name) => engine.inspectImage(name));
  },
};

export const imagePrune: Verb = {
  name: 'image prune',
  summary: 'Remove unused images (untagged ones; every unused one with -a) and unreferenced layers',
  usage: '[OPTIONS]',
  options: [
    { long: ['all'], short: 'a', kind: 'bool', help: 'Remove all images no container uses, not just untagged ones' },
    { long: ['force'], short: 'f', kind: 'bool', help: 'Do not prompt for confirmation' },
  ],
  maxArgs: 0,
  examples: ['hutch image prune -f', 'hutch image prune -af'],
  async run(ctx, p) {
    if (!p.bool('force')) {
      const what = p.bool('all') ? 'all images without at least one container associated to them' : 'all dangling images';
      await ctx.err(`WARNING! This will remove ${what}.\nAre you sure you want to continue? [y/N] `);
      if (!(await confirm())) return 0;
    }
    const r = await (await ctx.engine()).pruneImages({ all: p.bool('all') });
    let text = '';
    if (r.deleted.length) text += `Deleted Images:\n${r.deleted.map((l) => `${l}\n`).join('')}\n`;
    text += `Total reclaimed space: ${humanSize(r.reclaimed)}\n`;
    await ctx.out(text);
    return 0;
  },
};


const subcommands: Record<string, Verb> = {
  ls: images,
  list: images,
  inspect: imageInspect,
  prune: imagePrune,
  rm: rmi,
  tag,
  save,
  load,
  import: importVerb,
  build,
  history,
};

export const image: Verb = managementVerb('image', 'Manage images (ls, inspect, prune, rm, tag, save, load, import, build, history)', subcommands, [
  'hutch image ls',
  'hutch image inspect busybox',
  'hutch image prune -f',
]);
