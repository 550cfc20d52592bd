// hutch login [-u USER] [--password-stdin] [SERVER]: the credentials are checked
// against the registry, then stored (mode 0600) for pull and push.
import type { Verb } from '../context.js';
import { UsageError } from '../errors.js';
import { InvalidArgument } from '../../engine/errors.js';
import { insecureOption } from './transfer.js';

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks on the terminal; `hidden` turns echo off (raw mode) for a password. */
async function prompt(question: string, hidden: boolean, write: (s: string) => void): Promise<string> {
  const stdin = process.stdin;
  write(question);
  if (!hidden) {
    const { createInterface } = await import('node:readline');
    const rl = createInterface({ input: stdin });
    try {
      return await new Promise<string>((resolve) => rl.once('line', resolve));
    } finally {
      rl.close();
    }
  }
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (buf: Buffer) => {
        for (const ch of buf.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            write('\n');
            return resolve(value);
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            write('\n');
            return reject(new InvalidArgument('login cancelled'));
          }
          if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

export const login: Verb = {
  name: 'login',
  summary: 'Log in to a registry',
  usage: '[OPTIONS] [SERVER]',
  options: [
    { long: ['username'], short: 'u', kind: 'string', help: 'Username' },
    { long: ['password'], short: 'p', kind: 'string', help: 'Password (visible to other users: prefer --password-stdin)' },
    { long: ['password-stdin'], kind: 'bool', help: 'Take the password from stdin' },
    insecureOption,
  ],
  maxArgs: 1,
  examples: ['echo "$TOKEN" | hutch login -u ci --password-stdin registry.example.com'],
  async run(ctx, p) {
    const fromStdin = p.bool('password-stdin');
    let username = p.string('username');
    let password = p.string('password');
    if (fromStdin && password !== undefined) throw new UsageError('--password and --password-stdin are mutually exclusive', 'login');
    if (fromStdin && !username) throw new UsageError('must provide --username with --password-stdin', 'login');
    const { defaultRegistry } = await import('../../engine/images/oci/reference.js');
    const { normalizeRegistryName } = await import('../../engine/registry/endpoint.js');
    const server = normalizeRegistryName(p.args[0] ?? defaultRegistry(ctx.env));
    if (password !== undefined) await ctx.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    if (fromStdin) password = (await readAllStdin()).replace(/\r?\n$/, '');
    if (!username || password === undefined) {
      if (!ctx.stdinIsTTY) throw new InvalidArgument('cannot perform an interactive login from a non TTY device');
      const write = (s: string) => void ctx.stdout.write(s);
      if (!username) username = (await prompt('Username: ', false, write)).trim();
      if (password === undefined) password = await prompt('Password: ', true, write);
    }
    if (!username) throw new InvalidArgument('login: a username is required');
    if (!password) throw new InvalidArgument('login: a password is required');
    await (await ctx.engine()).login(server, { username, password }, { insecure: p.bool('insecure') });
    await ctx.out('Login Succeeded\n');
    return 0;
  },
};
