// What the dashboard does to containers: start, stop, restart, kill and delete
// the marked (or the selected) ones side by side, stop, kill, restart and delete
// after a y/N question (the config's `confirm: false` leaves only delete asking),
// a shell in a running one (the terminal handed over), and the demo set.
import type { ContainerInfo, ContainerSpec, SignalSource } from '../engine/types.js';
import { processSignals } from '../engine/signals.js';
import type { UiContext } from './context.js';
import { errorLine, shortId } from './format.js';

/** The shell for `e`: bash when the container has it, else sh. */
export const SHELL_ARGV = ['sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

/** The demo set (`D`): a busy CPU loop, a slowly growing memory, an idle process. */
export const DEMO: ContainerSpec[] = [
  { image: 'host', name: 'demo-cpu', cpus: 1, cmd: ['sh', '-c', "trap 'exit 0' TERM; while :; do :; done"] },
  {
    image: 'host',
    name: 'demo-mem',
    memory: 256 * 1024 * 1024,
    // Adds 1 MiB a second up to 160 MiB, then lets go and starts again.
    cmd: [
      'sh',
      '-c',
      "trap 'exit 0' TERM; awk 'BEGIN { s = \"x\"; for (k = 0; k < 20; k++) s = s s; " +
        "while (1) { a[n++] = s n; if (n >= 160) { delete a; n = 0 }; system(\"sleep 1\") } }' & wait",
    ],
  },
  { image: 'host', name: 'demo-idle', cmd: ['sh', '-c', "trap 'exit 0' TERM; sleep infinity & wait"] },
];

export type BulkVerb = 'start' | 'stop' | 'restart' | 'kill' | 'remove' | 'pause';

const ING: Record<BulkVerb, string> = { start: 'starting', stop: 'stopping', restart: 'restarting', kill: 'killing', remove: 'removing', pause: 'pausing/unpausing' };
const VERB: Record<BulkVerb, string> = { start: 'Start', stop: 'Stop', restart: 'Restart', kill: 'Kill (SIGKILL)', remove: 'Delete', pause: 'Pause/unpause' };
const PAST: Record<BulkVerb, string> = { start: 'started', stop: 'stopped', restart: 'restarted', kill: 'killed', remove: 'removed', pause: 'paused/unpaused' };

/**
 * During a hand-off the container's monitor (in a session of its own) hears the
 * terminal only through us: Ctrl-C without a tty, window resizes, and hutch being
 * told to go (SIGTERM, SIGHUP: main.ts waits for the hand-off to end, then exits).
 * A shell gets SIGHUP for either, as when its terminal closes (an interactive shell
 * ignores SIGTERM); a container run in the foreground gets them as they are.
 */
export async function relaying<T>(task: (signals: SignalSource) => Promise<T>, opts: { shell?: boolean } = {}): Promise<T> {
  const signals = processSignals(['SIGINT', 'SIGWINCH', 'SIGTERM', 'SIGHUP']);
  const source: SignalSource = opts.shell
    ? { subscribe: (fn) => signals.subscribe((s) => fn(s === 'SIGTERM' ? 'SIGHUP' : s)) }
    : signals;
  try {
    return await task(source);
  } finally {
    signals.close();
  }
}

export class ContainerActions {
  constructor(private readonly ctx: UiContext) {}

  /**
   * `x`, `K`, `r` (and `s`): stop, kill and restart ask y/N first, as delete does,
   * unless the config's `confirm` is false; start never asks.
   */
  async bulk(verb: BulkVerb, list: ContainerInfo[]): Promise<void> {
    if (list.length === 0) {
      this.ctx.error('no container selected');
      return;
    }
    if (verb === 'remove') return this.confirmRemove(list);
    // Start and pause (undone by the same key) never ask.
    if (verb === 'start' || verb === 'pause' || this.ctx.config.confirm === false) return this.run(verb, list);
    const what = list.length === 1 ? list[0].name : `${list.length} containers (${list.map((c) => c.name).join(', ')})`;
    this.ctx.store.set({
      dialog: {
        kind: 'confirm',
        question: `${VERB[verb]} ${what}? y/N`,
        onYes: () => void this.run(verb, list),
      },
    });
  }

  /** Runs `verb` on every container of `list` at once, each one marked busy until its call returns. */
  async run(verb: BulkVerb, list: ContainerInfo[]): Promise<void> {
    const { store, engine, config } = this.ctx;
    if (list.length === 0) {
      this.ctx.error('no container selected');
      return;
    }
    this.setBusy(list, ING[verb]);
    const names = list.map((c) => c.name);
    this.ctx.info(`${ING[verb]} ${names.join(', ')}…`);
    const failures: string[] = [];
    await Promise.all(
      list.map(async (c) => {
        try {
          if (verb === 'start') await engine.start(c.id);
          else if (verb === 'stop') await engine.stop(c.id, config.stopTimeout);
          else if (verb === 'restart') await engine.restart(c.id, config.stopTimeout);
          else if (verb === 'kill') await engine.kill(c.id, 'KILL');
          else if (verb === 'pause') await (c.paused ? engine.unpause(c.id) : engine.pause(c.id));
          else await engine.remove(c.id, { force: true });
        } catch (e) {
          failures.push(list.length > 1 ? `${c.name}: ${errorLine(e)}` : errorLine(e));
        } finally {
          this.setBusy([c], undefined);
        }
      }),
    );
    if (verb === 'remove') {
      store.set((s) => {
        const marked = new Set(s.marked);
        for (const c of list) marked.delete(c.id);
        return { marked };
      });
    }
    // A deleted container's detail view goes first: the message belongs to the table it lands on.
    if (verb === 'remove' && store.get().view === 'detail') store.set({ view: 'containers', detail: undefined });
    if (failures.length > 0) this.ctx.error(`${verb} ${list.length > 1 ? 'failed' : names[0]}: ${failures.join('; ')}`);
    else this.ctx.info(`${PAST[verb]} ${names.join(', ')}`);
    await this.ctx.refresh();
  }

  /** Marks containers busy with `what` ("stopping"), or not busy. */
  private setBusy(list: ContainerInfo[], what: string | undefined): void {
    this.ctx.store.set((s) => {
      const busy = new Map(s.busy);
      for (const c of list) {
        if (what === undefined) busy.delete(c.id);
        else busy.set(c.id, what);
      }
      return { busy };
    });
  }

  /** `d`: asks y/N first, saying how many of them run. */
  confirmRemove(list: ContainerInfo[]): void {
    if (list.length === 0) return this.ctx.error('no container selected');
    const running = list.filter((c) => c.status === 'running').length;
    const what = list.length === 1 ? list[0].name : `${list.length} containers (${list.map((c) => c.name).join(', ')})`;
    this.ctx.store.set({
      dialog: {
        kind: 'confirm',
        question: `Delete ${what}${running ? `, stopping ${running === 1 && list.length === 1 ? 'it' : `${running} running`}` : ''}? y/N`,
        onYes: () => void this.run('remove', list),
      },
    });
  }

  /** `e`: a shell in the container, in this terminal; the dashboard comes back when it exits. */
  async execShell(c: ContainerInfo): Promise<void> {
    if (c.status !== 'running') {
      this.ctx.error(`${c.name} is not running (s starts it)`);
      return;
    }
    let code = 0;
    try {
      await this.ctx.handoff(`hutch: shell in ${c.name} (${shortId(c.id)}); type exit to return to the dashboard`, async () => {
        // Keys typed right after `e` (read with it) are the shell's first input. The
        // hand-off may start while the key that asked for it is still being handled:
        // the rest of its read is collected once that returns.
        await null;
        const input = this.ctx.typeahead();
        code = await relaying((signals) => this.ctx.engine.exec(c.id, SHELL_ARGV, { tty: true, interactive: true, signals, ...(input ? { input } : {}) }), { shell: true });
      });
      this.ctx.info(`shell in ${c.name} exited${code ? ` with status ${code}` : ''}`);
    } catch (e) {
      this.ctx.error(`shell in ${c.name}: ${errorLine(e)}`);
    }
    void this.ctx.refresh();
  }

  /** `D`: creates and starts the demo containers that are not running yet. */
  async startDemo(): Promise<void> {
    const { store, engine } = this.ctx;
    // This machine's: another host's demo-cpu (`--host`) is not the one to start here.
    const existing = new Map(store.get().containers.filter((c) => !c.host).map((c) => [c.name, c]));
    const started: string[] = [];
    const failures: string[] = [];
    this.ctx.info('starting the demo containers…');
    for (const spec of DEMO) {
      try {
        const c = existing.get(spec.name!);
        if (c?.status === 'running') continue;
        const id = c ? c.id : (await engine.create(spec)).id;
        await engine.start(id);
        started.push(spec.name!);
      } catch (e) {
        failures.push(`${spec.name}: ${errorLine(e)}`);
      }
    }
    if (failures.length > 0) this.ctx.error(`demo: ${failures.join('; ')}`);
    else if (started.length === 0) this.ctx.info('the demo containers are already running');
    else this.ctx.info(`demo: started ${started.join(', ')}`);
    await this.ctx.refresh();
  }
}
