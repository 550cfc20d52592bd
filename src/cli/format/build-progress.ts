// BuildKit's progress output for `hutch build`. plain: numbered lines as BuildKit's
// `--progress=plain` prints them (`#2 [1/3] FROM …`, `#2 CACHED`, `#4 0.231 hello`,
// `#4 DONE 1.2s`), on stderr. tty: a live view redrawn in place (at most a few times
// a second): a header with the elapsed time, one line per step with its time or
// CACHED, and the last lines of the running RUN's output; the finished view stays.
import type { CliContext } from '../context.js';
import type { BuildEvent } from '../../engine/build/executor/events.js';

export type ProgressMode = 'plain' | 'tty' | 'quiet';

interface Vertex {
  name: string;
  start: number;
  ms?: number;
  cached?: boolean;
  error?: string;
  out: string[];
  partial: string;
}

const TAIL = 6;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export function progressPrinter(ctx: Pick<CliContext, 'err' | 'now'> & { stderr: { columns?: number } }, mode: ProgressMode) {
  const t0 = Date.now();
  const vertices = new Map<number, Vertex>();
  let pending = Promise.resolve();
  const write = (s: string) => (pending = pending.then(() => ctx.err(s)));
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;

  const plain = (e: BuildEvent) => {
    if (e.kind === 'warning') return write(`${e.text}\n`);
    const v = vertices.get(e.n);
    switch (e.kind) {
      case 'step':
        return write(`#${e.n} ${e.name}\n`);
      case 'cached':
        return write(`#${e.n} CACHED\n`);
      case 'log':
        return write(`#${e.n} ${e.text}\n`);
      case 'output': {
        if (!v) return;
        const text = v.partial + e.text;
        const lines = text.split('\n');
        v.partial = lines.pop() ?? '';
        const at = secs(Date.now() - v.start).replace('s', '');
        return write(lines.map((l) => `#${e.n} ${at} ${l}\n`).join(''));
      }
      case 'done':
        if (v?.cached) return;
        return write(`${v?.partial ? `#${e.n} ${v.partial}\n` : ''}#${e.n} DONE ${secs(e.ms)}\n`);
      case 'error':
        return write(`#${e.n} ERROR: ${e.message}\n`);
    }
  };

  const draw = () => {
    const cols = Math.max(40, ctx.stderr.columns ?? 80);
    const list = [...vertices.values()];
    const done = list.filter((v) => v.ms !== undefined || v.cached).length;
    const lines = [`[+] Building ${secs(Date.now() - t0)} (${done}/${list.length})`];
    for (const v of list) {
      const right = v.error ? 'ERROR' : v.cached ? 'CACHED' : secs(v.ms ?? Date.now() - v.start);
      const left = ` => ${v.name}`;
      const room = cols - right.length - 2;
      lines.push(`${left.length > room ? `${left.slice(0, room - 1)}…` : left.padEnd(room)} ${right}`);
      if (v.ms === undefined && !v.cached && !v.error) for (const l of [...v.out, v.partial].filter(Boolean).slice(-TAIL)) lines.push(` => => # ${l}`.slice(0, cols - 1));
    }
    // Back to the top of the last drawing, then each line cleared and rewritten.
    write(`${drawn ? `\x1b[${drawn}A` : ''}${lines.map((l) => `\r\x1b[2K${l}\n`).join('')}`);
    drawn = lines.length;
  };

  const tty = (e: BuildEvent) => {
    if (e.kind === 'warning') {
      write(`${e.text}\n`);
      drawn = 0;
      return;
    }
    const v = vertices.get(e.n);
    if (e.kind === 'output' && v) {
      const lines = (v.partial + e.text).split('\n');
      v.partial = lines.pop() ?? '';
      v.out.push(...lines);
      if (v.out.length > TAIL) v.out.splice(0, v.out.length - TAIL);
    } else if (e.kind === 'done' && v) v.ms = e.ms;
    else if (e.kind === 'error' && v) v.error = e.message;
    timer ??= setInterval(draw, 150);
  };

  return {
    event(e: BuildEvent): void {
      if (e.kind === 'step') vertices.set(e.n, { name: e.name, start: Date.now(), out: [], partial: '' });
      if (e.kind === 'cached') vertices.get(e.n)!.cached = true;
      if (mode === 'plain') void plain(e);
      else if (mode === 'tty') tty(e);
    },
    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      if (mode === 'tty' && vertices.size) draw();
      await pending;
    },
  };
}
