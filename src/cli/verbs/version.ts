// hutch version: docker's Client/Server shape. There is no daemon: the "server" is
// the engine library in this same process, so both report this build; the engine
// is never opened (version works without root or a state root).
import os from 'node:os';
import type { Verb } from '../context.js';
import { renderTemplate } from '../format/template/index.js';
import pkg from '../../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;

/** `hutch --version`: docker's one line. */
export function versionLine(): string {
  return `hutch version ${VERSION}, node ${process.version}, ${process.platform}/${process.arch}`;
}

/** Go's names of the architectures, as docker prints OS/Arch. */
function goArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[arch] ?? arch;
}

/** docker's `version --format` data: .Client and .Server with their fields. */
export function versionData() {
  const arch = goArch(process.arch);
  return {
    Client: { Platform: { Name: 'hutch' }, Version: VERSION, NodeVersion: process.version, Os: process.platform, Arch: arch, Context: 'default' },
    Server: {
      Platform: { Name: 'hutch (the engine runs in this process: no daemon)' },
      Version: VERSION,
      Os: process.platform,
      Arch: arch,
      KernelVersion: os.release(),
      Components: [{ Name: 'Engine', Version: VERSION, Details: { NodeVersion: process.version, Os: process.platform, Arch: arch, KernelVersion: os.release(), Experimental: 'false' } }],
    },
  };
}

export function renderVersion(d = versionData()): string {
  const c = d.Client;
  const e = d.Server.Components[0].Details;
  const row = (indent: string, key: string, value: string) => `${indent}${`${key}:`.padEnd(19 - indent.length + 1)}${value}\n`;
  return (
    'Client:\n' +
    row(' ', 'Version', c.Version) +
    row(' ', 'Node version', c.NodeVersion) +
    row(' ', 'OS/Arch', `${c.Os}/${c.Arch}`) +
    row(' ', 'Context', c.Context) +
    `\nServer: ${d.Server.Platform.Name}\n` +
    ' Engine:\n' +
    row('  ', 'Version', d.Server.Version) +
    row('  ', 'Node version', e.NodeVersion) +
    row('  ', 'OS/Arch', `${e.Os}/${e.Arch}`) +
    row('  ', 'Kernel version', e.KernelVersion) +
    row('  ', 'Experimental', e.Experimental)
  );
}

/** --format: 'json' prints the data as JSON, anything else is a Go template (docker's rules). */
export function formatWith(format: string, data: unknown): string {
  if (format.trim() === 'json') return `${JSON.stringify(data)}\n`;
  return `${renderTemplate(format, data)}\n`;
}

export const version: Verb = {
  name: 'version',
  summary: 'Show the hutch version information',
  usage: '[OPTIONS]',
  options: [{ long: ['format'], short: 'f', kind: 'string', value: 'string', help: "Format output using a Go template ('json' for JSON)" }],
  maxArgs: 0,
  examples: ['hutch version', "hutch version --format '{{.Server.Version}}'"],
  async run(ctx, p) {
    const format = p.string('format');
    await ctx.out(format ? formatWith(format, versionData()) : renderVersion());
    return 0;
  },
};
