// `top CONTAINER [ps OPTIONS]`: the host's ps, run with the options given (docker's
// default -ef), its rows kept for the container's processes only, as docker's
// daemon does: the PID column is found in ps's header, the command's words (the
// last column, which may hold spaces) joined again.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Conflict, InvalidArgument, SystemError } from '../errors.js';
import { mustLoad, type Ctx } from './context.js';
import { reconcile } from './reconcile.js';
import type { TopTable } from '../types.js';

/** ps's output as docker's ContainerTop reads it, rows only for `pids`. */
export function parsePs(output: string, pids: ReadonlySet<number>): TopTable {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  if (!lines.length) throw new SystemError('top: ps printed nothing');
  const titles = lines[0].trim().split(/\s+/);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw new InvalidArgument("Couldn't find PID field in ps output");
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    const pid = Number(fields[pidIndex]);
    if (!Number.isInteger(pid) || !pids.has(pid)) continue;
    // The last title's column takes the rest of the line's words.
    const row = fields.slice(0, titles.length - 1);
    row.push(fields.slice(titles.length - 1).join(' '));
    processes.push(row);
  }
  return { titles, processes };
}

export async function topPs(ctx: Ctx, id: string, psArgs: readonly string[]): Promise<TopTable> {
  const rec = await reconcile(ctx, mustLoad(ctx, id));
  if (rec.status !== 'running') throw new Conflict(`Container ${rec.id} is not running`);
  const pids = new Set(await ctx.cgroups.pids(rec.cgroupPaths).catch(() => [rec.pid]));
  const args = psArgs.length ? [...psArgs] : ['-ef'];
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('ps', args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } }));
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new InvalidArgument(`Error running ps: ${(err.stderr || err.message).trim().split('\n')[0]}`);
  }
  return parsePs(stdout, pids);
}
