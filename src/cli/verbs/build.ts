// hutch build [OPTIONS] CONTEXT|-: an image from a Dockerfile (engine/build). The
// progress is BuildKit's: plain numbered lines on a pipe (`#3 [2/4] RUN make`,
// `#3 CACHED`, `#3 0.512 output…`, `#3 DONE 1.2s`), a live view on a terminal.
// `-` reads a context tar from stdin (unpacked into a temporary directory first).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Verb } from '../context.js';
import { UsageError } from '../errors.js';

export const build: Verb = {
  name: 'build',
  summary: 'Build an image from a Dockerfile',
  usage: '[OPTIONS] PATH | -',
  options: [
    { long: ['tag'], short: 't', kind: 'list', value: 'list', help: 'Name and optionally a tag (format: "name:tag")' },
    { long: ['file'], short: 'f', kind: 'string', help: "Name of the Dockerfile (default: 'PATH/Dockerfile'; '-' reads it from stdin)" },
    { long: ['build-arg'], kind: 'list', value: 'list', help: 'Set build-time variables (K=V, or K to take it from the environment)' },
    { long: ['target'], kind: 'string', help: 'Set the target build stage to build' },
    { long: ['no-cache'], kind: 'bool', help: 'Do not use cache when building the image' },
    { long: ['pull'], kind: 'bool', help: 'Always attempt to pull a newer version of the base images' },
    { long: ['network'], kind: 'string', help: "Networking mode for the RUN instructions: bridge (default), none, host" },
    { long: ['label'], kind: 'list', value: 'list', help: 'Set metadata for an image (K=V)' },
    { long: ['progress'], kind: 'string', help: "Set type of progress output: auto, plain, tty (default auto)" },
    { long: ['quiet'], short: 'q', kind: 'bool', help: 'Suppress the build output and print image ID on success' },
    { long: ['iidfile'], kind: 'string', help: 'Write the image ID to the file' },
  ],
  minArgs: 1,
  maxArgs: 1,
  examples: ['hutch build -t app .', 'hutch build -f Dockerfile.prod --build-arg VERSION=1.2 -t app:1.2 .', 'tar -c . | hutch build -t app -'],
  async run(ctx, p) {
    const network = p.string('network') ?? 'bridge';
    if (!['bridge', 'none', 'host', 'default'].includes(network)) throw new UsageError(`invalid --network ${JSON.stringify(network)}: bridge, none or host`);
    const progressMode = p.string('progress') ?? 'auto';
    if (!['auto', 'plain', 'tty', 'quiet'].includes(progressMode)) throw new UsageError(`invalid --progress ${JSON.stringify(progressMode)}: auto, plain or tty`);
    const buildArgs = new Map<string, string>();
    for (const a of p.list('build-arg')) {
      const eq = a.indexOf('=');
      if (eq === 0) throw new UsageError(`invalid --build-arg ${JSON.stringify(a)}: NAME=VALUE`);
      if (eq > 0) buildArgs.set(a.slice(0, eq), a.slice(eq + 1));
      else if (ctx.env[a] !== undefined) buildArgs.set(a, ctx.env[a]!);
    }
    const labels: Record<string, string> = {};
    for (const l of p.list('label')) {
      const eq = l.indexOf('=');
      labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
    }
    const arg = p.args[0];
    const file = p.string('file');
    if (arg === '-' && file === '-') throw new UsageError('invalid argument: can\'t use stdin for both build context and dockerfile');
    let tmp: string | undefined;
    try {
      let contextDir = arg;
      if (arg === '-') {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-build-context-'));
        // Kept to a file first: tar.x({ file }) resolves once everything is written.
        const file = path.join(tmp, '.context.tar');
        fs.writeFileSync(file, await readAll(process.stdin));
        contextDir = path.join(tmp, 'context');
        fs.mkdirSync(contextDir);
        await (await import('tar')).x({ file, cwd: contextDir });
      }
      const dockerfileText = file === '-' ? (await readAll(process.stdin)).toString('utf8') : undefined;
      const epoch = ctx.env.SOURCE_DATE_EPOCH;
      if (epoch !== undefined && !/^\d+$/.test(epoch)) throw new UsageError(`invalid SOURCE_DATE_EPOCH ${JSON.stringify(epoch)}: seconds since 1970`);
      const quiet = p.bool('quiet') || progressMode === 'quiet';
      const { progressPrinter } = await import('../format/build-progress.js');
      const printer = progressPrinter({ err: ctx.err, now: ctx.now, stderr: ctx.stderr as { columns?: number } }, quiet ? 'quiet' : progressMode === 'auto' ? (ctx.stderr.isTTY ? 'tty' : 'plain') : (progressMode as 'plain' | 'tty'));
      const engine = await ctx.engine();
      let r;
      try {
        r = await engine.build({
          contextDir: path.resolve(contextDir),
          ...(file !== undefined && file !== '-' ? { dockerfile: path.resolve(file) } : {}),
          ...(dockerfileText !== undefined ? { dockerfileText } : {}),
          tags: p.list('tag'),
          buildArgs,
          ...(p.string('target') ? { target: p.string('target') } : {}),
          noCache: p.bool('no-cache'),
          pull: p.bool('pull'),
          network: network === 'default' ? 'bridge' : (network as 'bridge' | 'none' | 'host'),
          labels,
          ...(epoch !== undefined ? { sourceDateEpoch: Number(epoch) } : {}),
          onEvent: (e) => printer.event(e),
        });
      } finally {
        await printer.close();
      }
      if (p.string('iidfile')) fs.writeFileSync(p.string('iidfile')!, r.id);
      if (quiet) await ctx.out(`${r.id}\n`);
      return 0;
    } finally {
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }
  },
};

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
}
