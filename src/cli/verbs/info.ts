// hutch info: docker's fields that apply (no daemon: the "server" is this process
// on its state root), and the cgroup layout; --format for a template over them.
import type { Verb } from '../context.js';
import type { SystemInfo } from '../../engine/types.js';
import { formatWith } from './version.js';

/** go-units BytesSize: binary units, 4 significant digits ("7.763GiB"), as docker's Total Memory. */
export function bytesSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

export function renderInfo(i: SystemInfo): string {
  const lines = [
    'Client:',
    ' Context:    default',
    '',
    'Server:',
    ` Containers: ${i.Containers}`,
    `  Running: ${i.ContainersRunning}`,
    `  Paused: ${i.ContainersPaused}`,
    `  Stopped: ${i.ContainersStopped}`,
    ` Images: ${i.Images}`,
    ` Server Version: ${i.ServerVersion}`,
    ` Storage Driver: ${i.Driver}`,
    ` Cgroup Driver: ${i.CgroupDriver}`,
    ` Cgroup Version: ${i.CgroupVersion}`,
    ` Cgroup Layout: ${i.Cgroups.Layout}`,
    ` Cgroup Parent: ${i.Cgroups.Parent}`,
    ...i.Cgroups.Hierarchies.map((h) => `  ${h.Controllers.join(',')}: ${h.MountPoint}`),
    ' Security Options:',
    ...i.SecurityOptions.flatMap((o) => o.split(',').map((kv, n) => (n === 0 ? `  ${kv.replace(/^name=/, '')}` : `   ${kv.replace('=', ': ').replace(/^./, (c) => c.toUpperCase())}`))),
    ` Kernel Version: ${i.KernelVersion}`,
    ` Operating System: ${i.OperatingSystem}`,
    ` OSType: ${i.OSType}`,
    ` Architecture: ${i.Architecture}`,
    ` CPUs: ${i.NCPU}`,
    ` Total Memory: ${bytesSize(i.MemTotal)}`,
    ` Name: ${i.Name}`,
    ` Docker Root Dir: ${i.DockerRootDir}`,
  ];
  return lines.join('\n') + '\n';
}

export const info: Verb = {
  name: 'info',
  summary: 'Display system-wide information',
  usage: '[OPTIONS]',
  options: [{ long: ['format'], short: 'f', kind: 'string', value: 'string', help: "Format output using a Go template ('json' for JSON)" }],
  maxArgs: 0,
  examples: ['hutch info', "hutch info --format '{{.CgroupVersion}}'"],
  async run(ctx, p) {
    const i = await (await ctx.engine()).info();
    const format = p.string('format');
    await ctx.out(format ? formatWith(format, i) : renderInfo(i));
    return 0;
  },
};
