// The new-container form (`n`): its keys, the spec it asks for (ports and volumes
// in -p and -v syntax; errors name the field and stay in the form), and creating
// the container: started in the background, or run in this terminal and waited
// for when "detach" is off.
import type { ContainerInfo, ContainerSpec } from '../engine/types.js';
import { parsePublish } from '../engine/network/ports.js';
import { parseBytes } from '../engine/units.js';
import { splitWords } from '../engine/shell-words.js';
import { parseVolumeFlag } from '../engine/volumes/parse.js';
import { relaying } from './container-actions.js';
import type { UiContext } from './context.js';
import { errorLine, shortId } from './format.js';
import { editText, type KeyEvent } from './keys.js';
import { FORM_FIELDS, type FormDialog } from './state.js';

export class NewContainerForm {
  constructor(private readonly ctx: UiContext) {}

  open(): void {
    this.ctx.store.set({
      dialog: { kind: 'form', focus: 0, values: { image: 'host', name: '', command: '', memory: '', cpus: '', network: '', ports: '', volumes: '', detach: true } },
    });
  }

  /** A key while the form is open (it takes them all but Ctrl+C). */
  key(input: string, name: string, key: KeyEvent): void {
    const { store } = this.ctx;
    const form = store.get().dialog as FormDialog;
    const field = FORM_FIELDS[form.focus];
    const set = (f: Partial<FormDialog>) => store.set({ dialog: { ...form, error: undefined, ...f } });
    if (name === 'escape') return store.set({ dialog: undefined });
    if (name === 'tab' || name === 'down') return set({ focus: (form.focus + 1) % FORM_FIELDS.length });
    if (name === 'shift+tab' || name === 'up') return set({ focus: (form.focus + FORM_FIELDS.length - 1) % FORM_FIELDS.length });
    if (name === 'enter') return void this.submit(form);
    if (field === 'detach') {
      if (name === 'space' || name === 'left' || name === 'right') set({ values: { ...form.values, detach: !form.values.detach } });
      return;
    }
    const value = editText(form.values[field], input, name, key);
    if (value !== undefined) set({ values: { ...form.values, [field]: value } });
  }

  private async submit(form: FormDialog): Promise<void> {
    const { store, engine } = this.ctx;
    let spec: ContainerSpec;
    let info: ContainerInfo;
    try {
      spec = formSpec(form);
      info = await engine.create(spec);
    } catch (e) {
      store.set({ dialog: { ...form, error: errorLine(e) } });
      return;
    }
    store.set({ dialog: undefined, selected: info.id });
    try {
      if (form.values.detach) {
        await engine.start(info.id);
        this.ctx.info(`started ${info.name}`);
      } else {
        let exit = 0;
        await this.ctx.handoff(`hutch: running ${info.name} (${shortId(info.id)}) in the foreground`, async () => {
          exit = await relaying(async (signals) => {
            await engine.start(info.id, { attach: true, signals });
            return (await engine.wait(info.id)).exitCode;
          });
        });
        this.ctx.info(`${info.name} exited with status ${exit}`);
      }
    } catch (e) {
      this.ctx.error(`start ${info.name}: ${errorLine(e)}`);
    }
    await this.ctx.refresh();
  }
}

/** The spec a filled-in form asks for; throws with the field's name on bad input. */
export function formSpec(form: FormDialog): ContainerSpec {
  const v = form.values;
  const image = v.image.trim();
  if (!image) throw new Error('image: required');
  const spec: ContainerSpec = { image };
  if (v.name.trim()) spec.name = v.name.trim();
  if (v.command.trim()) {
    try {
      spec.cmd = splitCommand(v.command.trim());
    } catch (e) {
      throw new Error(`command: ${errorLine(e)}`, { cause: e });
    }
  }
  if (v.memory.trim()) {
    try {
      spec.memory = parseBytes(v.memory.trim());
    } catch {
      throw new Error(`memory: ${JSON.stringify(v.memory.trim())} is not a size (e.g. 256m, 1g)`);
    }
  }
  if (v.cpus.trim()) {
    const n = Number(v.cpus.trim());
    if (!Number.isFinite(n) || n <= 0) throw new Error(`cpus: ${JSON.stringify(v.cpus.trim())} is not a positive number`);
    spec.cpus = n;
  }
  const network = v.network.trim();
  if (network) {
    if (/\s/.test(network)) throw new Error(`network: one network, without spaces (${JSON.stringify(network)})`);
    spec.network = network;
  }
  if (v.ports.trim()) {
    try {
      spec.ports = v.ports.trim().split(/[\s,]+/).filter(Boolean).flatMap(parsePublish);
    } catch (e) {
      throw new Error(`ports: ${errorLine(e)}`, { cause: e });
    }
    // Published ports need a network of the container's own: bridge (the default) or a user network.
    if (network === 'host') throw new Error('ports: none with network host (the container uses the host\'s own ports)');
    else if (network === 'none' || network.startsWith('container:')) throw new Error(`ports: none with network ${network} (publishing needs a bridge network)`);
  }
  if (v.volumes.trim()) {
    spec.mounts = v.volumes.trim().split(/\s+/).map((raw) => {
      try {
        return parseVolumeFlag(raw);
      } catch (e) {
        throw new Error(`volumes: ${errorLine(e)}`, { cause: e });
      }
    });
  }
  if (!v.detach) {
    spec.tty = true;
    spec.interactive = true;
  }
  return spec;
}

/** The form's command line, split as a shell would for the simple cases (engine/shell-words.ts). */
export const splitCommand = splitWords;
