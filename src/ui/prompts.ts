// The one-line prompts of the status line: filter (applies as it is typed),
// search, pull, save logs, the new network's name and subnet, the new volume's name. Keys edit the
// text; Enter hands it to whoever asked; Esc cancels (and clears the filter).
import type { ImageActions } from './image-actions.js';
import { editText, type KeyEvent } from './keys.js';
import type { LogsPane } from './logs.js';
import type { NetworkActions } from './network-actions.js';
import type { Prompt, UiState } from './state.js';
import type { Store } from './store.js';
import type { VolumeActions } from './volume-actions.js';

export interface PromptDeps {
  store: Store<UiState>;
  logs: LogsPane;
  imageActions: ImageActions;
  networkActions: NetworkActions;
  volumeActions: VolumeActions;
}

export function promptKey(d: PromptDeps, p: Prompt, input: string, name: string, key: KeyEvent): void {
  const { store } = d;
  if (name === 'escape') {
    store.set(p.kind === 'filter' ? { prompt: undefined, filter: '' } : { prompt: undefined });
    return;
  }
  if (name === 'enter') {
    store.set({ prompt: undefined });
    if (p.kind === 'search') d.logs.search(p.value);
    if (p.kind === 'pull') d.imageActions.pull(p.value);
    if (p.kind === 'saveLogs') void d.logs.save(p.value);
    if (p.kind === 'networkName' || p.kind === 'networkSubnet') d.networkActions.enter(p);
    if (p.kind === 'volumeName') d.volumeActions.enter(p);
    return;
  }
  const value = editText(p.value, input, name, key);
  if (value === undefined) return;
  store.set(p.kind === 'filter' ? { prompt: { ...p, value }, filter: value } : { prompt: { ...p, value } });
}
