// What the volumes view does: its list (re-read on entering and every interval
// while shown), creating a volume through one prompt (its name; Enter alone makes
// one with a random name, as `hutch volume create` does), and deleting one after a
// confirmation. The engine's refusals (a volume in use, a bad name) become one
// status line, with the containers' names for their ids.
import type { EngineApi, VolumeInfo } from '../engine/types.js';
import { errorLine, shortId } from './format.js';
import type { Prompt, UiState } from './state.js';
import type { Store } from './store.js';
import { volumeUsers } from './views/volumes.js';

export interface VolumeActionsDeps {
  store: Store<UiState>;
  engine: EngineApi;
  info(text: string): void;
  error(text: string): void;
}

/** A volume's name for the status line: anonymous ones (64 hex digits) cut to 12. */
function shown(name: string): string {
  return /^[0-9a-f]{64}$/.test(name) ? shortId(name) : name;
}

export class VolumeActions {
  constructor(private readonly d: VolumeActionsDeps) {}

  /** Re-reads the list; the selection stays on the same volume when it is still there. */
  async refresh(select?: string): Promise<void> {
    try {
      const volumes = await this.d.engine.volumes();
      this.d.store.set((s) => {
        const want = select ?? s.volumes[s.volumeIndex]?.name;
        const i = want === undefined ? -1 : volumes.findIndex((v) => v.name === want);
        const volumeIndex = i >= 0 ? i : Math.min(s.volumeIndex, Math.max(0, volumes.length - 1));
        return { volumes, volumesError: undefined, volumeIndex };
      });
    } catch (e) {
      this.d.store.set({ volumesError: errorLine(e) });
    }
  }

  /** The prompt for the new volume's name. */
  askCreate(): void {
    this.d.store.set({ prompt: { kind: 'volumeName', value: '' } });
  }

  /** Enter in the name prompt: one name, or none for a random one. */
  enter(p: Prompt): void {
    if (p.kind !== 'volumeName') return;
    const name = p.value.trim();
    if (/\s/.test(name)) return this.d.error(`volume create: one name, without spaces (${JSON.stringify(name)})`);
    void this.create(name || undefined);
  }

  private async create(name: string | undefined): Promise<void> {
    const existed = name !== undefined && this.d.store.get().volumes.some((v) => v.name === name);
    let v: VolumeInfo;
    try {
      v = await this.d.engine.createVolume(name === undefined ? {} : { name });
    } catch (e) {
      this.d.error(`volume create${name ? ` ${name}` : ''}: ${this.readable(errorLine(e))}`);
      return;
    }
    this.d.info(existed ? `volume ${v.name} exists already` : `created volume ${shown(v.name)}`);
    await this.refresh(v.name);
  }

  /** Asks before deleting the selected volume; says who uses it. */
  confirmRemove(): void {
    const st = this.d.store.get();
    const v = st.volumes[st.volumeIndex];
    if (!v) return this.d.error('no volume selected');
    const users = volumeUsers(v, st.containers);
    const used = users.length === 0 ? '' : ` (used by ${users.join(', ')})`;
    this.d.store.set({ dialog: { kind: 'confirm', question: `Delete volume ${shown(v.name)}${used}? y/N`, onYes: () => void this.remove(v.name) } });
  }

  private async remove(name: string): Promise<void> {
    try {
      await this.d.engine.removeVolume(name);
      this.d.info(`removed volume ${shown(name)}`);
    } catch (e) {
      this.d.error(`delete volume ${shown(name)}: ${this.readable(errorLine(e))}`);
    }
    await this.refresh();
  }

  /** Container ids in an engine message become their names; other 64-hex ids are cut to 12. */
  private readable(line: string): string {
    const { containers } = this.d.store.get();
    return line.replace(/\b[0-9a-f]{64}\b/g, (id) => containers.find((c) => c.id === id)?.name || shortId(id));
  }
}
