// The fake engine's volumes: in memory, checked with the engine's own parsers and
// validators (src/engine/volumes) and its messages, held to the real engine by the
// conformance suite. Nothing is made on disk: a volume's Mountpoint is a path under
// /nonexistent, `-v` host directories are not created, nothing is copied up.
import type { ContainerInfo, ContainerSpec, CreateVolumeOptions, MountPoint, VolumeFilter, VolumeInfo, VolumeRecord } from '../../src/engine/types.js';
import { Conflict, InvalidArgument, NotFound } from '../../src/engine/errors.js';
import { checkVolumeOptions } from '../../src/engine/volumes/store.js';
import { normalize, parseVolumesFrom } from '../../src/engine/volumes/parse.js';

const ROOT = '/nonexistent/volumes';

export class FakeVolumes {
  readonly records = new Map<string, VolumeRecord>();
  private seq = 0;

  constructor(private readonly containers: () => ContainerInfo[]) {}

  private usage(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const c of this.containers()) for (const m of c.mounts ?? []) if (m.type === 'volume' && m.name) out.set(m.name, [...(out.get(m.name) ?? []), c.id]);
    return out;
  }

  private info(v: VolumeRecord, used = this.usage()): VolumeInfo {
    return { ...v, mountpoint: `${ROOT}/${v.name}/_data`, containers: used.get(v.name) ?? [] };
  }

  /** As createVolumeLocked: an existing name is returned; made tells whether it is new. */
  private make(o: CreateVolumeOptions & { anonymous?: boolean }): { rec: VolumeRecord; made: boolean } {
    checkVolumeOptions(o);
    const name = o.name ?? (++this.seq).toString(16).padStart(2, '0').repeat(32);
    const existing = this.records.get(name);
    if (existing) {
      if (o.labels && Object.keys(o.labels).length && JSON.stringify(o.labels) !== JSON.stringify(existing.labels))
        throw new Conflict(`create ${name}: a volume with the name ${name} already exists with different labels`);
      return { rec: existing, made: false };
    }
    const rec: VolumeRecord = { name, driver: 'local', labels: o.labels ?? {}, options: o.options ?? {}, createdAt: new Date().toISOString(), anonymous: !!o.anonymous };
    this.records.set(name, rec);
    return { rec, made: true };
  }

  create(o: CreateVolumeOptions = {}): VolumeInfo {
    return this.info(this.make(o).rec);
  }

  list(f: VolumeFilter = {}): VolumeInfo[] {
    const used = this.usage();
    let label: ((v: VolumeRecord) => boolean) | undefined;
    if (f.label !== undefined) {
      const eq = f.label.indexOf('=');
      const k = eq < 0 ? f.label : f.label.slice(0, eq);
      if (!k) throw new InvalidArgument(`invalid filter 'label=${f.label}'`);
      label = (v) => k in v.labels && (eq < 0 || v.labels[k] === f.label!.slice(eq + 1));
    }
    return [...this.records.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((v) => this.info(v, used))
      .filter((v) => (f.dangling === undefined || (v.containers.length === 0) === f.dangling) && (!label || label(v)));
  }

  inspect(name: string): VolumeInfo {
    const v = this.records.get(name);
    if (!v) throw new NotFound(`get ${name}: no such volume`);
    return this.info(v);
  }

  remove(name: string, force = false): void {
    if (!this.records.has(name)) {
      if (force) return;
      throw new NotFound(`get ${name}: no such volume`);
    }
    const users = this.usage().get(name) ?? [];
    if (users.length) throw new Conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    this.records.delete(name);
  }

  prune(all = false): { deleted: string[]; reclaimed: number } {
    const used = this.usage();
    const deleted = [...this.records.values()].filter((v) => !used.has(v.name) && (all || v.anonymous)).map((v) => v.name);
    for (const n of deleted) this.records.delete(n);
    return { deleted: deleted.sort(), reclaimed: 0 };
  }

  /** attachMounts without a disk; volumes made here are removed again if it fails. */
  attach(spec: ContainerSpec, mountsOf: (ref: string) => MountPoint[]): MountPoint[] {
    const made: string[] = [];
    try {
      const out: MountPoint[] = [];
      for (const m of spec.mounts ?? []) {
        const destination = normalize(m.target);
        const mode = m.mode ?? '';
        if (m.type === 'tmpfs') {
          const opts = [...(m.tmpfsFlags ?? []), ...(m.tmpfsSize !== undefined ? [`size=${m.tmpfsSize}`] : []), ...(m.tmpfsMode !== undefined ? [`mode=${m.tmpfsMode.toString(8)}`] : [])];
          out.push({ type: 'tmpfs', source: '', destination, rw: !m.readOnly, propagation: '', mode, ...(opts.length ? { tmpfsOptions: opts } : {}) });
        } else if (m.type === 'bind') {
          out.push({ type: 'bind', source: normalize(m.source!), destination, rw: !m.readOnly, propagation: m.propagation ?? 'rprivate', mode });
        } else {
          const { rec, made: isNew } = this.make({ ...(m.source ? { name: m.source } : {}), anonymous: !m.source });
          if (isNew) made.push(rec.name);
          const data = `${ROOT}/${rec.name}/_data`;
          out.push({
            type: 'volume',
            name: rec.name,
            source: m.subpath !== undefined ? `${data}/${m.subpath}` : data,
            destination,
            rw: !m.readOnly,
            propagation: '',
            mode,
            ...(!m.noCopy && m.subpath === undefined ? { copyUp: true } : {}),
            ...(m.source ? {} : { anonymous: true }),
          });
        }
      }
      for (const v of spec.volumesFrom ?? []) {
        const { container, mode } = parseVolumesFrom(v);
        for (const m of mountsOf(container)) {
          if (m.type === 'tmpfs' || out.some((x) => x.destination === m.destination)) continue;
          const { anonymous: _a, copyUp: _c, ...rest } = m;
          out.push({ ...rest, rw: mode === '' ? m.rw : mode === 'rw' });
        }
      }
      return out;
    } catch (e) {
      for (const n of made) this.records.delete(n);
      throw e;
    }
  }

  /** A removed container's own anonymous volumes, unless another container mounts one. */
  removeAnonymous(mounts: readonly MountPoint[]): void {
    const used = this.usage();
    for (const m of mounts) if (m.type === 'volume' && m.anonymous && m.name && !used.has(m.name)) this.records.delete(m.name);
  }
}
