// Acting on another engine's container is that engine's business: hutch never signals
// its processes or writes its cgroups itself. What it can do, once the user confirms,
// is run the command that engine's own CLI would (shown to the user first):
// `runc --root DIR kill ID TERM`, `docker stop ID`, `ctr -n NS task kill …`.
// Kubernetes' containers are refused: the kubelet would only start them again.
import type { ForeignContainer } from './types.js';

export type ForeignVerb = 'stop' | 'kill' | 'pause' | 'unpause';

/** The argv that does `verb` to `c` with its engine's own CLI, or a reason why not. */
export function foreignCommand(c: Pick<ForeignContainer, 'id' | 'engine' | 'namespace' | 'source'>, verb: ForeignVerb, hutchRunc = 'hutch-runc'): { argv: string[] } | { refused: string } {
  const rootOf = () => c.source.slice(0, c.source.lastIndexOf('/'));
  switch (c.engine) {
    case 'runc':
    case 'crun':
    case 'hutch-runc': {
      // A state directory names its root; a cgroup-only find has none to give the runtime.
      if (!c.source || c.source.startsWith('/sys/fs/cgroup')) return { refused: `no ${c.engine} state directory names it` };
      const bin = c.engine === 'hutch-runc' ? hutchRunc : c.engine;
      const tail = verb === 'stop' ? ['kill', c.id, 'TERM'] : verb === 'kill' ? ['kill', c.id, 'KILL'] : [verb === 'pause' ? 'pause' : 'resume', c.id];
      return { argv: [bin, '--root', rootOf(), ...tail] };
    }
    case 'docker':
    case 'podman':
      return { argv: [c.engine, verb, c.id] };
    case 'containerd': {
      const ns = ['-n', c.namespace ?? 'default'];
      if (verb === 'pause' || verb === 'unpause') return { argv: ['ctr', ...ns, 'task', verb === 'pause' ? 'pause' : 'resume', c.id] };
      return { argv: ['ctr', ...ns, 'task', 'kill', '-s', verb === 'stop' ? 'SIGTERM' : 'SIGKILL', c.id] };
    }
    default:
      return { refused: `${c.engine} manages it (its pods' containers are started again by the kubelet): use kubectl` };
  }
}
