// What the images view does: pulls that run in the background (their progress
// events coalesced into the store a few times a second, so a fast network does
// not redraw the screen per chunk), and removal with a confirmation and, when the
// engine refuses because a container uses the image, a second one that forces it.
import type { EngineApi, ImageInfo, TransferProgress } from '../engine/types.js';
import { errorLine, fmtBytes, shortId } from './format.js';
import type { PullProgress, UiState } from './state.js';
import type { Store } from './store.js';
import { imageUsers } from './views/images.js';

export interface ImageActionsDeps {
  store: Store<UiState>;
  engine: EngineApi;
  info(text: string): void;
  error(text: string): void;
  now(): number;
}

/** How often progress reaches the screen at most. */
const FLUSH_MS = 100;

interface RunningPull {
  ref: string;
  started: number;
  abort: AbortController;
  /** Layer digests in the order first seen, and each one's last event. */
  order: string[];
  layers: Map<string, TransferProgress>;
}

/** docker's `Deleted: sha256:<64 hex>` is too long for a status line: ids as `hutch images` shows them. */
function shortenIds(line: string): string {
  return line.replace(/sha256:[0-9a-f]{64}/g, (d) => shortId(d));
}

/** The engine's refusal that force overrides ("conflict: unable to delete … (must be forced) - …"). */
function isForceable(e: unknown): boolean {
  return /^conflict:/i.test(errorLine(e)) && /must (be )?force/i.test(errorLine(e));
}

export class ImageActions {
  private readonly running: RunningPull[] = [];
  private flushTimer?: NodeJS.Timeout;

  constructor(private readonly d: ImageActionsDeps) {}

  /**
   * Re-reads the builds running and the list (on entering the view, every interval
   * while shown, after a pull or a delete). Builds first: a build closes its status
   * after its image is stored, so one that is no longer listed has its image in the
   * list read next, and the row never vanishes for a tick.
   */
  async refresh(): Promise<void> {
    // The same builds keep the same array: no redraw for a tick that changed nothing.
    const prev = this.d.store.get().builds;
    let builds: Pick<UiState, 'builds' | 'buildsError'>;
    try {
      const b = await this.d.engine.builds();
      builds = { builds: JSON.stringify(b) === JSON.stringify(prev) ? prev : b, buildsError: undefined };
    } catch (e) {
      builds = { builds: prev.length === 0 ? prev : [], buildsError: errorLine(e) };
    }
    try {
      const images = await this.d.engine.images();
      this.d.store.set((s) => ({ ...builds, images, imagesError: undefined, imageIndex: Math.min(s.imageIndex, Math.max(0, images.length - 1)) }));
    } catch (e) {
      this.d.store.set({ ...builds, imagesError: errorLine(e) });
    }
  }

  /** The pull prompt's text: one reference, optionally with `--insecure` (plain HTTP, local registries only). */
  static parsePullInput(text: string): { ref: string; insecure: boolean } {
    let insecure = false;
    const refs: string[] = [];
    for (const w of text.trim().split(/\s+/)) {
      if (!w) continue;
      if (w === '--insecure') insecure = true;
      else if (w.startsWith('-')) throw new Error(`pull: unknown option ${w} (only --insecure)`);
      else refs.push(w);
    }
    if (refs.length === 0) throw new Error('pull: type an image name, e.g. busybox:latest');
    if (refs.length > 1) throw new Error(`pull: one image at a time, not ${refs.length} (${refs.join(' ')})`);
    return { ref: refs[0], insecure };
  }

  /** Starts a pull in the background; its outcome goes to the status line. */
  pull(text: string): void {
    let req: { ref: string; insecure: boolean };
    try {
      req = ImageActions.parsePullInput(text);
    } catch (e) {
      this.d.error(errorLine(e));
      return;
    }
    if (this.running.some((r) => r.ref === req.ref)) {
      this.d.error(`already pulling ${req.ref}`);
      return;
    }
    void this.runPull(req.ref, req.insecure);
  }

  private async runPull(ref: string, insecure: boolean): Promise<void> {
    const r: RunningPull = { ref, started: this.d.now(), abort: new AbortController(), order: [], layers: new Map() };
    this.running.push(r);
    this.publish();
    let pulled: ImageInfo | undefined;
    try {
      const res = await this.d.engine.pull(ref, {
        insecure: insecure || undefined,
        signal: r.abort.signal,
        onProgress: (e) => this.progress(r, e),
      });
      pulled = res.image;
      this.d.info(`pulled ${res.reference}${res.downloaded > 0 ? ` (${fmtBytes(res.downloaded)} downloaded)` : ': image is up to date'}`);
    } catch (e) {
      if (r.abort.signal.aborted) this.d.info(`pull of ${ref} cancelled (pulling it again resumes)`);
      else this.d.error(`pull ${ref}: ${errorLine(e)}`);
    } finally {
      this.running.splice(this.running.indexOf(r), 1);
      this.publish();
    }
    await this.refresh();
    // Show the new image where the user is looking for it.
    const st = this.d.store.get();
    if (pulled && st.view === 'images') {
      const i = st.images.findIndex((x) => x.id === pulled!.id && x.name === pulled!.name);
      const j = i >= 0 ? i : st.images.findIndex((x) => x.id === pulled!.id);
      if (j >= 0) this.d.store.set({ imageIndex: j });
    }
  }

  private progress(r: RunningPull, e: TransferProgress): void {
    if (!r.layers.has(e.digest)) r.order.push(e.digest);
    r.layers.set(e.digest, e);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.publish();
    }, FLUSH_MS);
    this.flushTimer.unref?.();
  }

  /** The pulls' state into the store. */
  private publish(): void {
    const pulls: PullProgress[] = this.running.map((r) => ({ ref: r.ref, started: r.started, layers: r.order.map((d) => r.layers.get(d)!) }));
    this.d.store.set({ pulls });
  }

  /** Cancels the latest pull still running. */
  cancelPull(): void {
    const r = [...this.running].reverse().find((x) => !x.abort.signal.aborted);
    if (!r) return this.d.error('no pull in flight');
    r.abort.abort(new Error(`pull of ${r.ref} cancelled`));
    this.d.info(`cancelling the pull of ${r.ref}…`);
  }

  /** Asks before removing the selected image; says who uses it. */
  confirmRemove(): void {
    const st = this.d.store.get();
    const img = st.images[st.imageIndex];
    if (!img) return this.d.error('no image selected');
    const users = imageUsers(img, st.containers);
    const used = users.length === 0 ? '' : ` (used by ${users.length === 1 ? 'container' : `${users.length} containers:`} ${users.map((c) => c.name).join(', ')})`;
    this.d.store.set({ dialog: { kind: 'confirm', question: `Delete image ${img.name}${used}? y/N`, onYes: () => void this.remove(img, false) } });
  }

  private async remove(img: ImageInfo, force: boolean): Promise<void> {
    try {
      const lines = await this.d.engine.removeImage(img.name, force ? { force: true } : undefined);
      this.d.info(lines.length > 0 ? lines.map(shortenIds).join(' · ') : `removed image ${img.name}`);
    } catch (e) {
      if (!force && isForceable(e)) {
        this.d.store.set({
          dialog: { kind: 'confirm', question: `Force-delete ${img.name}? y/N · ${shortenIds(errorLine(e))}`, onYes: () => void this.remove(img, true) },
        });
      } else {
        this.d.error(`delete image ${img.name}: ${shortenIds(errorLine(e))}`);
      }
    }
    await this.refresh();
  }

  /** Aborts the pulls in flight (the dashboard is closing; a later pull resumes them). */
  stop(): void {
    for (const r of this.running) r.abort.abort(new Error('the dashboard closed'));
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }
}
