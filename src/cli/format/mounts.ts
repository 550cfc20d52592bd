// docker's `Mounts` of a container (inspect): one entry per mount, the same
// fields docker prints (Type, Name, Source, Destination, Driver, Mode, RW,
// Propagation), from the mounts the engine attached at create.
import type { ContainerInfo } from '../../engine/types.js';

export function dockerMounts(c: ContainerInfo): Record<string, unknown>[] {
  return (c.mounts ?? []).map((m) =>
    m.type === 'volume'
      ? { Type: 'volume', Name: m.name ?? '', Source: m.source, Destination: m.destination, Driver: 'local', Mode: m.mode, RW: m.rw, Propagation: '' }
      : { Type: m.type, Source: m.source, Destination: m.destination, Mode: m.mode, RW: m.rw, Propagation: m.propagation },
  );
}
