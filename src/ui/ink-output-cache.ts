// A version-guarded runtime patch of ink 6.8.0's Output.get(), the step that
// turns a frame's text writes into terminal lines.
//
// Why: stock Output.get() builds every frame from nothing. For each of the
// frame's width×height cells it allocates a cell object, runs every line through
// @alcalzone/ansi-tokenize (grapheme segmentation, one object per character with
// a copy of its style list) and string-width, then serialises the whole grid
// back to a string. Its caches live on the Output object, which Ink creates anew
// for every frame. On a 160×50 screen that is ~18 ms of a ~26 ms frame (profiled,
// bench/dashboard-child.ts), a full core of work for a dashboard that changes a
// few numbers a second.
//
// What the patch does, exactly equivalent to the stock method:
// - it walks the write/clip operations as stock does, but collects each row's
//   fragments (x, text after clipping and transformers) instead of writing cells;
// - a row whose fragments are the same as in a recent frame reuses that frame's
//   string;
// - otherwise a row whose fragments do not overlap and fit the width is the
//   concatenation of each fragment's serialised text, with blank gaps between;
// - a fragment made of SGR sequences and plain cells only (printable ASCII and
//   the dashboard's glyphs) is serialised run by run: what ink writes between
//   two runs of characters depends only on the styles before and the escapes
//   between, worked out once by ink's own tokenizer (ink-output-runs.ts), so a
//   table row whose figures change, or a shell pane's new line, costs a scan;
// - any other fragment is cut into pieces (words with their trailing spaces)
//   where no style is active, each piece serialised and cached on its own.
//   Pieces go through ink's own tokenizer and string-width.
// - any row outside those conditions is built exactly as stock does.
// Why concatenation is exact: ansi-tokenize's styledCharsToString emits, before
// each character, the difference between its style and the previous
// character's, and closes what is open after the last one. When the character
// left of a cut has no style (a blank gap cell, or a piece's last space checked
// to be unstyled), the difference is "open the right side's styles", which is
// how the right side's own serialisation starts, and the left side's own closing
// codes are what stock emits on stepping into the blank cell. Why runs are
// exact is told in ink-output-runs.ts.
// test/ui/ink-output-cache.test.ts compares the patched and stock methods on
// frames of the dashboard and on random ones.
//
// The guard: ink must be exactly 6.8.0 (the version this was written against)
// and ansi-tokenize 0.2.x; otherwise, or when anything is not where expected,
// nothing is patched and Ink behaves as shipped. HUTCH_INK_PATCH=0 turns it off.
//
// How it reaches Output: it must patch the very class Ink's renderer uses, so that
// the patch takes effect for every frame. In dist/dashboard.mjs Ink is bundled:
// scripts/build.mjs makes 'hutch:ink-internals', which imports ink's build/output.js
// and its imports by the paths Ink's own imports resolve to, so the bundle holds one
// copy of each and the patch changes the one Ink renders with
// (test/unit/dashboard-bundle.test.ts checks it on the built bundle). Elsewhere
// (tsx, tests) Ink is the package: importing ink's build/output.js by its file URL
// (which bypasses the package's exports map) gives the module instance Ink uses.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SgrRuns } from './ink-output-runs.js';
import { pieces } from './ink-output-text.js';

const INK_VERSION = '6.8.0';
const TOKENIZE_VERSION = /^0\.2\.\d+$/;

interface AnsiCode {
  type: 'ansi';
  code: string;
  endCode: string;
}
interface StyledChar {
  type: 'char';
  value: string;
  fullWidth: boolean;
  styles: AnsiCode[];
}
type Transformer = (line: string, index: number) => string;
interface Clip {
  x1?: number;
  x2?: number;
  y1?: number;
  y2?: number;
}
type Operation =
  | { type: 'write'; x: number; y: number; text: string; transformers: Transformer[] }
  | { type: 'clip'; clip: Clip }
  | { type: 'unclip' };
interface OutputCaches {
  getStyledChars(line: string): StyledChar[];
  getStringWidth(text: string): number;
  getWidestLine(text: string): number;
}
/** The shape of ink 6.8.0's Output instances that get() reads. */
export interface InkOutput {
  width: number;
  height: number;
  operations: Operation[];
  caches: OutputCaches;
  write(x: number, y: number, text: string, options: { transformers: Transformer[] }): void;
  clip(clip: Clip): void;
  unclip(): void;
  get(): { output: string; height: number };
}
type OutputClass = new (options: { width: number; height: number }) => InkOutput;

interface Deps {
  Output: OutputClass & { prototype: InkOutput };
  tokenize: (s: string) => unknown[];
  styledCharsFromTokens: (tokens: unknown[]) => StyledChar[];
  styledCharsToString: (chars: StyledChar[]) => string;
  stringWidth: (s: string) => number;
  sliceAnsi: (s: string, from: number, to?: number) => string;
}

/**
 * A cache of what the last two frames used: each frame's lookups move their
 * entries into the current generation, and age() (once a frame) drops what the
 * frame before last used and this one did not. Entries live a frame or two, so
 * most die young (cheap for the GC); a frame bigger than `limit` ages early.
 */
class TwoGen<V> {
  private cur = new Map<string, V>();
  private old = new Map<string, V>();
  constructor(private readonly limit: number) {}
  get(k: string): V | undefined {
    let v = this.cur.get(k);
    if (v === undefined) {
      v = this.old.get(k);
      if (v !== undefined) this.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    if (this.cur.size >= this.limit) this.age();
    this.cur.set(k, v);
  }
  age(): void {
    this.old = this.cur;
    this.cur = new Map();
  }
  clear(): void {
    this.cur.clear();
    this.old.clear();
  }
}

/** A serialised run of cells: its width, its text as stock would write it, whether its last cell has a style. */
interface Run {
  w: number;
  s: string;
  lastStyled: boolean;
}

export class OutputCache {
  private readonly rows = new TwoGen<string>(4096);
  private readonly lines = new TwoGen<Run>(4096);
  private readonly runs = new TwoGen<Run>(16384);
  private readonly widths = new Map<string, number>();
  private readonly sgr: SgrRuns;
  constructor(private readonly d: Deps) {
    this.sgr = new SgrRuns(d);
  }

  clear(): void {
    this.rows.clear();
    this.lines.clear();
    this.runs.clear();
    this.sgr.clear();
    this.widths.clear();
  }

  private charWidth(v: string): number {
    let w = this.widths.get(v);
    if (w === undefined) {
      w = this.d.stringWidth(v);
      if (this.widths.size > 4096) this.widths.clear();
      this.widths.set(v, w);
    }
    return w;
  }

  /** Cells of `text` laid out from column 0 as stock Output.get() lays them out. */
  private cells(text: string): StyledChar[] {
    const chars = this.d.styledCharsFromTokens(this.d.tokenize(text));
    const cells: StyledChar[] = [];
    let x = 0;
    for (const ch of chars) {
      cells[x] = ch;
      const w = Math.max(1, this.charWidth(ch.value));
      for (let k = 1; k < w; k++) cells[x + k] = { type: 'char', value: '', fullWidth: false, styles: ch.styles };
      x += w;
    }
    return cells;
  }

  private run(text: string): Run {
    let r = this.runs.get(text);
    if (r === undefined) {
      const cells = this.cells(text);
      const w = cells.length;
      r = { w, s: this.d.styledCharsToString(cells), lastStyled: w > 0 && cells[w - 1].styles.length > 0 };
      this.runs.set(text, r);
    }
    return r;
  }

  /** A whole fragment: by its runs when it is SGR sequences and plain cells, else its pieces joined when every cut is clean, else tokenised in one go. */
  lineRun(line: string): Run {
    let r = this.lines.get(line) ?? this.sgr.serialise(line);
    if (r !== undefined) {
      this.lines.set(line, r);
      return r;
    }
    const ps = pieces(line);
    if (ps.length > 1) {
      let w = 0;
      let s = '';
      let lastStyled = false;
      let clean = true;
      for (let i = 0; i < ps.length; i++) {
        const p = this.run(ps[i]);
        // Every piece but the last ends with a space: it must be unstyled for the cut to be exact.
        if (i < ps.length - 1 && p.lastStyled) {
          clean = false;
          break;
        }
        w += p.w;
        s += p.s;
        if (p.w > 0) lastStyled = p.lastStyled;
      }
      r = clean ? { w, s, lastStyled } : this.run(line);
    } else {
      r = this.run(line);
    }
    this.lines.set(line, r);
    return r;
  }

  /** One terminal row from its fragments ([x0, text0, x1, text1, …] in write order). */
  row(frags: (number | string)[], width: number, caches: OutputCaches): string {
    if (frags.length === 0) return '';
    let key = `${width}`;
    for (let i = 0; i < frags.length; i += 2) key += `\u0000${frags[i]}\u0001${frags[i + 1] as string}`;
    let out = this.rows.get(key);
    if (out === undefined) {
      out = this.compose(frags, width) ?? this.stockRow(frags, width, caches);
      this.rows.set(key, out);
    }
    return out;
  }

  /** Blank gaps and fragment runs; undefined when fragments overlap, touch a styled cell or leave the row. */
  private compose(frags: (number | string)[], width: number): string | undefined {
    const items: { x: number; r: Run }[] = [];
    for (let i = 0; i < frags.length; i += 2) {
      const x = frags[i] as number;
      const r = this.lineRun(frags[i + 1] as string);
      if (r.w === 0) continue; // writes no cell
      if (!Number.isInteger(x) || x < 0 || x + r.w > width) return undefined;
      items.push({ x, r });
    }
    if (items.length > 1) items.sort((a, b) => a.x - b.x);
    let s = '';
    let pos = 0;
    let prevStyled = false;
    for (const { x, r } of items) {
      if (x < pos) return undefined; // overlap: later writes win cell by cell
      if (x === pos && prevStyled) return undefined;
      if (x > pos) s += ' '.repeat(x - pos);
      s += r.s;
      pos = x + r.w;
      prevStyled = r.lastStyled;
    }
    return s.trimEnd();
  }

  /** Stock Output.get()'s work for one row. */
  private stockRow(frags: (number | string)[], width: number, caches: OutputCaches): string {
    const row: (StyledChar | undefined)[] = [];
    for (let x = 0; x < width; x++) row.push({ type: 'char', value: ' ', fullWidth: false, styles: [] });
    for (let i = 0; i < frags.length; i += 2) {
      let offsetX = frags[i] as number;
      for (const character of caches.getStyledChars(frags[i + 1] as string)) {
        row[offsetX] = character;
        const characterWidth = Math.max(1, caches.getStringWidth(character.value));
        if (characterWidth > 1) {
          for (let index = 1; index < characterWidth; index++) {
            row[offsetX + index] = { type: 'char', value: '', fullWidth: false, styles: character.styles };
          }
        }
        offsetX += characterWidth;
      }
    }
    return this.d.styledCharsToString(row.filter((item): item is StyledChar => item !== undefined)).trimEnd();
  }

  /** The patched Output.prototype.get: stock's walk over the operations, rows from row(). */
  get(output: InkOutput): { output: string; height: number } {
    const rows: (number | string)[][] = [];
    for (let y = 0; y < output.height; y++) rows.push([]);
    const clips: Clip[] = [];
    for (const operation of output.operations) {
      if (operation.type === 'clip') clips.push(operation.clip);
      if (operation.type === 'unclip') clips.pop();
      if (operation.type !== 'write') continue;
      const { text, transformers } = operation;
      let { x, y } = operation;
      let lines = text.split('\n');
      const clip = clips.at(-1);
      if (clip) {
        const clipHorizontally = typeof clip?.x1 === 'number' && typeof clip?.x2 === 'number';
        const clipVertically = typeof clip?.y1 === 'number' && typeof clip?.y2 === 'number';
        if (clipHorizontally) {
          const width = output.caches.getWidestLine(text);
          if (x + width < clip.x1! || x > clip.x2!) continue;
        }
        if (clipVertically) {
          const height = lines.length;
          if (y + height < clip.y1! || y > clip.y2!) continue;
        }
        if (clipHorizontally) {
          lines = lines.map((line) => {
            const from = x < clip.x1! ? clip.x1! - x : 0;
            const width = output.caches.getStringWidth(line);
            const to = x + width > clip.x2! ? clip.x2! - x : width;
            return this.d.sliceAnsi(line, from, to);
          });
          if (x < clip.x1!) x = clip.x1!;
        }
        if (clipVertically) {
          const from = y < clip.y1! ? clip.y1! - y : 0;
          const height = lines.length;
          const to = y + height > clip.y2! ? clip.y2! - y : height;
          lines = lines.slice(from, to);
          if (y < clip.y1!) y = clip.y1!;
        }
      }
      let offsetY = 0;
      for (const [index, text] of lines.entries()) {
        const frags = rows[y + offsetY];
        // As stock: a missing row (outside the frame) skips the line and every line after it.
        if (!frags) continue;
        let line = text;
        for (const transformer of transformers) line = transformer(line, index);
        frags.push(x, line);
        offsetY++;
      }
    }
    const lines = rows.map((frags) => this.row(frags, output.width, output.caches));
    this.rows.age();
    this.lines.age();
    this.runs.age();
    return { output: lines.join('\n'), height: rows.length };
  }
}

export interface Patch {
  Output: OutputClass;
  stockGet: (this: InkOutput) => { output: string; height: number };
  cache: OutputCache;
}

let installed: Patch | undefined;
let reason = 'not tried';

function readVersion(pkgJson: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** Ink's Output class and what its build/output.js imports, with the versions of the files they come from. */
interface Internals {
  Output: Deps['Output'];
  tokenize: Deps['tokenize'];
  styledCharsFromTokens: Deps['styledCharsFromTokens'];
  styledCharsToString: Deps['styledCharsToString'];
  stringWidth: Deps['stringWidth'];
  sliceAnsi: Deps['sliceAnsi'];
  inkVersion: string | undefined;
  tokenizeVersion: string | undefined;
}

/**
 * In dist/dashboard.mjs, where Ink is bundled: the module scripts/build.mjs makes for
 * 'hutch:ink-internals', ink's build/output.js and its three imports as the bundle
 * has them (the Output the bundled Ink renders with). Anywhere else (tsx, a bundle
 * built without that plugin, where Ink stays a package) the import fails: undefined.
 */
async function bundledInternals(): Promise<Internals | undefined> {
  try {
    // @ts-expect-error -- a module only scripts/build.mjs makes (see above)
    return (await import('hutch:ink-internals')) as Internals;
  } catch {
    return undefined;
  }
}

/**
 * Ink as a package: importing ink's build/output.js by its file URL (which bypasses
 * the package's exports map) gives the very module instance Ink's renderer uses.
 * Its three imports are resolved from there, so they are the modules it uses.
 */
async function packageInternals(): Promise<Internals> {
  const inkIndex = fileURLToPath(import.meta.resolve('ink'));
  const inkVersion = readVersion(fileURLToPath(new URL('../package.json', pathToFileURL(inkIndex))));
  const outputUrl = new URL('./output.js', pathToFileURL(inkIndex)).href;
  const fromOutput = createRequire(fileURLToPath(outputUrl));
  const tokenizePkg = fromOutput.resolve('@alcalzone/ansi-tokenize/package.json');
  const tokenizeVersion = readVersion(tokenizePkg);
  if (inkVersion !== INK_VERSION || !TOKENIZE_VERSION.test(tokenizeVersion ?? '?')) {
    return { inkVersion, tokenizeVersion } as Internals; // the guard says no: nothing else is loaded
  }
  const tokenizeMain = (JSON.parse(fs.readFileSync(tokenizePkg, 'utf8')) as { exports: { '.': { import: string } } }).exports['.'].import;
  const [outputMod, tok, sw, sa] = await Promise.all([
    import(outputUrl),
    import(new URL(tokenizeMain, pathToFileURL(tokenizePkg)).href),
    import(pathToFileURL(fromOutput.resolve('string-width')).href),
    import(pathToFileURL(fromOutput.resolve('slice-ansi')).href),
  ]);
  return {
    Output: outputMod.default,
    tokenize: tok.tokenize,
    styledCharsFromTokens: tok.styledCharsFromTokens,
    styledCharsToString: tok.styledCharsToString,
    stringWidth: sw.default,
    sliceAnsi: sa.default,
    inkVersion,
    tokenizeVersion,
  };
}

/** Where the patched Output came from: Ink bundled into dist/dashboard.mjs, or the ink package. */
let source: 'bundle' | 'package' | undefined;

/** Patches ink's Output once; returns the patch, or undefined (with why in outputCacheStatus()) when the guard says no. */
export async function installOutputCache(env: Record<string, string | undefined> = process.env): Promise<Patch | undefined> {
  if (installed) return installed;
  if (env.HUTCH_INK_PATCH === '0') {
    reason = 'off (HUTCH_INK_PATCH=0)';
    return undefined;
  }
  try {
    const bundled = await bundledInternals();
    const i = bundled ?? (await packageInternals());
    if (i.inkVersion !== INK_VERSION) {
      reason = `ink ${i.inkVersion ?? '?'} is not ${INK_VERSION}`;
      return undefined;
    }
    if (!TOKENIZE_VERSION.test(i.tokenizeVersion ?? '?')) {
      reason = `@alcalzone/ansi-tokenize ${i.tokenizeVersion ?? '?'} is not 0.2.x`;
      return undefined;
    }
    const Output = i.Output;
    const deps: Deps = {
      Output,
      tokenize: i.tokenize,
      styledCharsFromTokens: i.styledCharsFromTokens,
      styledCharsToString: i.styledCharsToString,
      stringWidth: i.stringWidth,
      sliceAnsi: i.sliceAnsi,
    };
    const fns = [deps.tokenize, deps.styledCharsFromTokens, deps.styledCharsToString, deps.stringWidth, deps.sliceAnsi, Output?.prototype?.get];
    if (fns.some((f) => typeof f !== 'function')) {
      reason = 'ink internals not where 6.8.0 has them';
      return undefined;
    }
    const stockGet = Output.prototype.get;
    const cache = new OutputCache(deps);
    Output.prototype.get = function get(this: InkOutput) {
      return cache.get(this);
    };
    installed = { Output, stockGet, cache };
    source = bundled ? 'bundle' : 'package';
    reason = 'active';
    return installed;
  } catch (e) {
    reason = `not applied: ${(e as Error).message}`;
    return undefined;
  }
}

/** Whether the patch went to Ink bundled with this module (dist/dashboard.mjs) or to the ink package; undefined when not applied. */
export function outputCacheSource(): 'bundle' | 'package' | undefined {
  return source;
}

/** "active", or why the patch is not in force. */
export function outputCacheStatus(): string {
  return reason;
}
