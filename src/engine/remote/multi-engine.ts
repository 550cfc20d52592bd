// The dashboard's one EngineApi over this machine and the remote ones: every call
// goes to the local engine, except those on a remote container's id (`<id>@<host>`,
// convert.ts), which become hutch's own commands on that host over its ssh master
// (remote-actions.ts): start, stop, restart, kill, rm -f, pause, unpause, logs, a
// shell; the shell pane's shells (remote-shell.ts); the detail view's processes,
// inspect and signals (remote-detail.ts). The container list has the remote hosts'
// last rows after the local ones.
// A call the remote side cannot answer says so, naming the host, instead of asking
// the local engine about an id it does not know.
import type { ContainerInfo, EngineApi, ProcessInfo } from '../types.js';
import { remoteExec, remoteLogs, runRemote } from './remote-actions.js';
import { remoteConnectShell, remoteEndShell, remoteListShells, remoteOpenShell } from './remote-shell.js';
import { detailOf, remoteInspect, remoteSignalProcess, remoteTop, runtimeConfigOf, withDetail } from './remote-detail.js';
import type { Remotes } from './remotes.js';

type Override = Partial<EngineApi>;

export function multiHostEngine(local: EngineApi, remotes: Remotes): EngineApi {
  const { spawn, ssh } = remotes;
  /** The row the dashboard knows of a remote container (what a lifecycle call resolves with). */
  const row = (dashId: string): ContainerInfo => {
    const c = remotes.allRows().find((r) => r.id === dashId);
    if (!c) throw new Error(`No such container: ${dashId}`);
    return c;
  };
  const remoteVerb = async (dashId: string, args: (id: string) => string[]): Promise<ContainerInfo> => {
    const r = remotes.route(dashId)!;
    await runRemote(spawn, ssh, r.host.name, args(r.id));
    return row(dashId);
  };
  /** The remote inspect of a row, kept for its row (the detail view's config lines). */
  const fetchDetail = async (dashId: string) => {
    const r = remotes.route(dashId)!;
    const d = detailOf(await remoteInspect(spawn, ssh, r.host.name, r.id));
    remotes.setDetail(dashId, d);
    return d;
  };
  // The detail view reads the processes every tick: a slow link gets one call at a time per container.
  const topping = new Map<string, Promise<ProcessInfo[]>>();
  const overrides: Override = {
    async list(opts) {
      const mine = await local.list(opts);
      const theirs = remotes.allRows().filter((c) => opts?.all || c.status === 'running');
      return theirs.length ? mine.concat(theirs) : mine;
    },
    async inspect(id) {
      if (!remotes.route(id)) return local.inspect(id);
      const d = await fetchDetail(id);
      return withDetail(row(id), d);
    },
    async inspectContainer(id) {
      const r = remotes.route(id);
      return r ? remoteInspect(spawn, ssh, r.host.name, r.id) : local.inspectContainer(id);
    },
    async runtimeConfig(id) {
      return remotes.route(id) ? runtimeConfigOf(await fetchDetail(id)) : local.runtimeConfig(id);
    },
    top(id) {
      const r = remotes.route(id);
      if (!r) return local.top(id);
      let p = topping.get(id);
      if (!p) {
        p = remoteTop(spawn, ssh, r.host.name, r.id).finally(() => topping.delete(id));
        topping.set(id, p);
      }
      return p;
    },
    async signalProcess(id, pid, signal) {
      const r = remotes.route(id);
      return r ? remoteSignalProcess(spawn, ssh, r.host.name, r.id, pid, signal) : local.signalProcess(id, pid, signal);
    },
    listShells(id) {
      const r = remotes.route(id);
      return r ? remoteListShells(spawn, ssh, r.host.name, r.id) : local.listShells(id);
    },
    openShell(id, opts) {
      const r = remotes.route(id);
      return r ? remoteOpenShell(spawn, ssh, r.host.name, r.id, opts) : local.openShell(id, opts);
    },
    connectShell(id, shell) {
      const r = remotes.route(id);
      return r ? remoteConnectShell(spawn, ssh, r.host.name, r.id, shell) : local.connectShell(id, shell);
    },
    async endShell(id, shell) {
      const r = remotes.route(id);
      return r ? remoteEndShell(spawn, ssh, r.host.name, r.id, shell) : local.endShell(id, shell);
    },
    start: (id, opts) => (remotes.route(id) ? remoteVerb(id, (i) => ['start', i]) : local.start(id, opts)),
    stop: (id, t) => (remotes.route(id) ? remoteVerb(id, (i) => ['stop', ...(t !== undefined ? ['-t', String(t)] : []), i]) : local.stop(id, t)),
    restart: (id, t) => (remotes.route(id) ? remoteVerb(id, (i) => ['restart', ...(t !== undefined ? ['-t', String(t)] : []), i]) : local.restart(id, t)),
    kill: async (id, signal) => {
      if (!remotes.route(id)) return local.kill(id, signal);
      await remoteVerb(id, (i) => ['kill', ...(signal !== undefined ? ['-s', String(signal)] : []), i]);
    },
    remove: async (id, opts) => {
      if (!remotes.route(id)) return local.remove(id, opts);
      await remoteVerb(id, (i) => ['rm', ...(opts?.force ? ['-f'] : []), ...(opts?.volumes ? ['-v'] : []), i]);
    },
    pause: (id) => (remotes.route(id) ? remoteVerb(id, (i) => ['pause', i]) : local.pause(id)),
    unpause: (id) => (remotes.route(id) ? remoteVerb(id, (i) => ['unpause', i]) : local.unpause(id)),
    logs(id, opts) {
      const r = remotes.route(id);
      return r ? remoteLogs(spawn, ssh, r.host.name, r.id, opts ?? {}) : local.logs(id, opts);
    },
    exec(id, argv, opts) {
      const r = remotes.route(id);
      return r ? remoteExec(spawn, ssh, r.host.name, r.id, argv, opts ?? {}) : local.exec(id, argv, opts);
    },
  };
  return new Proxy(local, {
    get(target, prop, receiver) {
      const own = (overrides as Record<PropertyKey, unknown>)[prop];
      if (own !== undefined) return own;
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const f = v as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const r = typeof args[0] === 'string' ? remotes.route(args[0]) : undefined;
        if (r) return Promise.reject(new Error(`${String(prop)}: not available for ${r.host.name}'s containers from this dashboard (ssh ${r.host.name} hutch …)`));
        return f.apply(target, args);
      };
    },
  });
}
