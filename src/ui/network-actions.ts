// What the networks view does: its list (re-read on entering and every interval
// while shown), creating a network through two prompts (its name, then an optional
// subnet), and deleting one after a confirmation. The engine's refusals (a network
// still in use, a subnet that overlaps another) become one status line.
import type { EngineApi, NetworkInfo } from '../engine/types.js';
import { errorLine, shortId } from './format.js';
import type { Prompt, UiState } from './state.js';
import type { Store } from './store.js';

export interface NetworkActionsDeps {
  store: Store<UiState>;
  engine: EngineApi;
  info(text: string): void;
  error(text: string): void;
}

/** Network ids are 64 hex digits: too long for a status line. */
function shortenIds(line: string): string {
  return line.replace(/\b[0-9a-f]{64}\b/g, (id) => shortId(id));
}

export class NetworkActions {
  constructor(private readonly d: NetworkActionsDeps) {}

  /** Re-reads the list; the selection stays on the same network when it is still there. */
  async refresh(select?: string): Promise<void> {
    try {
      const networks = await this.d.engine.networks();
      this.d.store.set((s) => {
        const want = select ?? s.networks[s.networkIndex]?.name;
        const i = want === undefined ? -1 : networks.findIndex((n) => n.name === want);
        const networkIndex = i >= 0 ? i : Math.min(s.networkIndex, Math.max(0, networks.length - 1));
        return { networks, networksError: undefined, networkIndex };
      });
    } catch (e) {
      this.d.store.set({ networksError: errorLine(e) });
    }
  }

  /** The first prompt: the new network's name. */
  askCreate(): void {
    this.d.store.set({ prompt: { kind: 'networkName', value: '' } });
  }

  /** Enter in one of the create prompts: the name leads to the subnet, the subnet creates. */
  enter(p: Prompt): void {
    if (p.kind === 'networkName') {
      const name = p.value.trim();
      if (!name) return this.d.error('network create: type a name, e.g. backend');
      if (/\s/.test(name)) return this.d.error(`network create: one name, without spaces (${JSON.stringify(name)})`);
      this.d.store.set({ prompt: { kind: 'networkSubnet', value: '', network: name } });
      return;
    }
    if (p.kind === 'networkSubnet' && p.network) void this.create(p.network, p.value.trim());
  }

  private async create(name: string, subnet: string): Promise<void> {
    let n: NetworkInfo;
    try {
      n = await this.d.engine.createNetwork(subnet ? { name, subnet } : { name });
    } catch (e) {
      this.d.error(`network create ${name}: ${shortenIds(errorLine(e))}`);
      return;
    }
    this.d.info(`created network ${n.name} (${n.subnet}, gateway ${n.gateway})`);
    await this.refresh(n.name);
  }

  /** Asks before deleting the selected network; says who is on it. */
  confirmRemove(): void {
    const st = this.d.store.get();
    const n = st.networks[st.networkIndex];
    if (!n) return this.d.error('no network selected');
    const names = n.containers.map((c) => c.name || shortId(c.id));
    const used = names.length === 0 ? '' : ` (${names.length === 1 ? 'container' : `${names.length} containers:`} ${names.join(', ')} on it)`;
    this.d.store.set({ dialog: { kind: 'confirm', question: `Delete network ${n.name}${used}? y/N`, onYes: () => void this.remove(n.name) } });
  }

  private async remove(name: string): Promise<void> {
    try {
      await this.d.engine.removeNetwork(name);
      this.d.info(`removed network ${name}`);
    } catch (e) {
      this.d.error(`delete network ${name}: ${shortenIds(errorLine(e))}`);
    }
    await this.refresh();
  }
}
