// `hutch build`: a Dockerfile's stages built on the engine's own containers and
// layer store. The front end (../dockerfile) parses and plans; here each needed
// stage runs in file order: its base (scratch, an earlier stage, or an image,
// pulled when missing or with --pull), the base's ONBUILD triggers, then each
// instruction — metadata ones change the config (meta-steps.ts), RUN and COPY/ADD
// make layers (run-step.ts, copy-step.ts) unless the cache has the step
// (cache.ts). The target stage is committed as an image and tagged. Everything runs
// under the image store's shared lock (adding()): gc never deletes a layer a build
// has made and not yet recorded, and what a failed build made and nothing records
// is removed.
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../../container/context.js';
import { InvalidArgument } from '../../errors.js';
import { adding, type Added } from '../../images/additions.js';
import { checkTags, commitImage, type HistoryEntry } from '../../images/commit.js';
import type { StoreParts } from '../../images/store-parts.js';
import { expandInstruction, parseDockerfile, parseTrigger, planBuild, type BuildPlan, type Instruction, type PlannedStage } from '../dockerfile/index.js';
import { loadIgnore, StatCache, type IgnoreMatcher } from '../context/index.js';
import { cacheDir, lookup, readLineage, record, stepKey, writeLineage } from './cache.js';
import { applyMeta } from './meta-steps.js';
import { runStep } from './run-step.js';
import { copyStep } from './copy-step.js';
import { resolveCopy, withStateRoot, type SourceRoot } from './copy-sources.js';
import { cloneState, scratchState, stateFromImage, type StageState, type StepLayer } from './state.js';
import type { BuildEvent, BuildOptions, BuildResult } from './events.js';
import { BuildStatusWriter } from '../status.js';

export type { BuildEvent, BuildOptions, BuildResult } from './events.js';

class Build {
  private n = 0;
  ran = 0;
  cached = 0;
  readonly states = new Map<number, StageState>();
  private readonly now: string;

  constructor(
    readonly ctx: Ctx,
    readonly s: StoreParts,
    readonly added: Added,
    readonly o: BuildOptions,
    readonly plan: BuildPlan,
    readonly ignore: IgnoreMatcher,
    readonly statCache: StatCache,
  ) {
    this.now = o.sourceDateEpoch !== undefined ? new Date(o.sourceDateEpoch * 1000).toISOString() : new Date().toISOString();
  }

  emit(e: BuildEvent): void {
    this.o.onEvent?.(e);
  }

  /** Runs fn as a progress vertex named name. */
  async vertex<T>(name: string, fn: (n: number) => Promise<T>): Promise<T> {
    const n = ++this.n;
    const t0 = Date.now();
    this.emit({ kind: 'step', n, name });
    try {
      const r = await fn(n);
      this.emit({ kind: 'done', n, ms: Date.now() - t0 });
      return r;
    } catch (e) {
      this.emit({ kind: 'error', n, message: (e as Error).message });
      throw e;
    }
  }

  private get file(): string {
    return this.plan.dockerfile.file;
  }

  async stage(p: PlannedStage): Promise<StageState> {
    const total = p.stage.instructions.length + 1;
    const tag = (i: number) => (this.plan.order.length > 1 ? `[${p.label} ${i}/${total}]` : `[${i}/${total}]`);
    const st = await this.vertex(`${tag(1)} FROM ${p.stage.from.image}${p.stage.name ? ` AS ${p.stage.name}` : ''}`, () => this.base(p));
    // The base image's ONBUILD triggers run first, and are not inherited (docker).
    const triggers = (st.config.OnBuild ?? []).map((t) => parseTrigger(t, this.file, p.stage.from.line, this.plan.dockerfile.escape));
    if (st.config.OnBuild) st.config.OnBuild = null;
    for (const t of triggers) await this.vertex(`${tag(1)} ONBUILD ${t.original}`, (n) => this.step(st, t, n));
    let i = 1;
    for (const ins of p.stage.instructions) await this.vertex(`${tag(++i)} ${ins.original}`, (n) => this.step(st, ins, n));
    return st;
  }

  private async base(p: PlannedStage): Promise<StageState> {
    const b = p.base;
    if (b.kind === 'scratch') return scratchState(stepKey('', ['scratch']), this.now);
    if (b.kind === 'stage') return cloneState(this.states.get(b.index)!);
    return this.imageState(b.ref, p.stage.from.line);
  }

  /** An image as a stage's base or a COPY --from source: pulled when missing (or --pull). */
  async imageState(ref: string, line: number): Promise<StageState> {
    if (ref === 'host') throw new InvalidArgument(`${this.file}:${line}: the built-in host image cannot be built on (it is the host's own files); use an image`);
    let st = this.o.pull ? null : stateFromImage(this.s, ref, '');
    if (!st) {
      try {
        await (await import('../../registry/index.js')).pull(this.ctx, ref, this.o.signal ? { signal: this.o.signal } : {});
      } catch (e) {
        throw new InvalidArgument(`${this.file}:${line}: ${ref}: not found here, and pulling it failed: ${(e as Error).message.split('\n')[0]}`);
      }
      st = stateFromImage(this.s, ref, '');
      if (!st) throw new InvalidArgument(`${this.file}:${line}: ${ref}: not found after pulling it`);
    }
    st.key = stepKey('', ['image', st.parent]);
    return st;
  }

  private async step(st: StageState, ins: Instruction, n: number): Promise<void> {
    const esc = { file: this.file, escape: this.plan.dockerfile.escape };
    if (ins.kind === 'ARG') {
      const created_by = st.vars.declareArgs(ins, { buildArgs: this.plan.buildArgs, globalArgs: this.plan.globalArgs, escape: esc.escape, file: this.file }).history;
      // The values are not in the key: a build arg invalidates only the steps that
      // use it (RUN's environment, a substitution), as BuildKit.
      return this.meta(st, created_by, `ARG ${ins.args.map((a) => a.name).join(' ')}`);
    }
    const x = expandInstruction(ins, st.vars.lookup, esc).instruction;
    if (x.kind === 'RUN') return this.layerStep(st, n, `RUN ${[st.vars.runHistoryPrefix(), ...runArgs(st, x)].filter(Boolean).join(' ')} # buildkit`, [
      'RUN', runArgs(st, x), x.heredocs, st.vars.runEnv(), st.config.User ?? '', st.config.WorkingDir ?? '/', x.network ?? this.o.network ?? 'bridge',
    ], () => runStep(this.ctx, this.s, this.added, st, x, {
      file: this.file,
      network: x.network === 'none' ? 'none' : x.network === 'host' ? 'host' : this.o.network ?? 'bridge',
      proxyEnv: this.plan.proxyEnv,
      ...(this.o.sourceDateEpoch !== undefined ? { sourceDateEpoch: this.o.sourceDateEpoch } : {}),
      onOutput: (stream, text) => this.emit({ kind: 'output', n, stream, text }),
      ...(this.o.signal ? { signal: this.o.signal } : {}),
    }));
    if (x.kind === 'COPY' || x.kind === 'ADD') {
      const from = this.plan.stages.find((p) => p.stage.instructions.includes(ins))?.copyFrom.get(ins as typeof x);
      const withRoot = async <T>(fn: (r: SourceRoot, id: string) => Promise<T>): Promise<T> => {
        if (!from) return fn({ dir: this.o.contextDir, ignore: this.ignore, context: true }, 'context');
        const src = from.kind === 'stage' ? this.states.get(from.index)! : await this.imageState(from.ref, ins.line);
        return withStateRoot(this.s, this.ctx.native, src, (r) => fn(r, src.key));
      };
      return withRoot(async (root, rootId) => {
        const { plan, digest } = await resolveCopy(this.s, st, x, root, this.file, this.statCache);
        const srcText = x.sources.map((s) => (s.kind === 'path' ? s.path : `<<${s.heredoc.name}`)).join(' ');
        return this.layerStep(st, n, `${x.kind} ${x.from ? `--from=${x.from} ` : ''}${srcText} ${x.dest} # buildkit`, [
          x.kind, rootId, srcText, x.dest, x.chown ?? '', x.chmod ?? '', digest, x.sources.filter((s) => s.kind === 'heredoc'), st.config.WorkingDir ?? '/',
        ], async () => {
          // The same COPY of the same project last time: its unchanged files are linked, not rewritten.
          const lkey = stepKey('copy-lineage', [x.kind, x.from ? `from:${x.from}` : `context:${this.o.contextDir}`, srcText, x.dest, x.chown ?? '', x.chmod ?? '', st.config.WorkingDir ?? '/']);
          const r = await copyStep(this.ctx, this.s, this.added, st, x, plan, { file: this.file, ...(this.o.sourceDateEpoch !== undefined ? { sourceDateEpoch: this.o.sourceDateEpoch } : {}), lineage: readLineage(this.s.l, lkey) });
          if (r.layer && r.files) writeLineage(this.s.l, lkey, { chainId: r.layer.chainId, files: r.files });
          return r.layer;
        });
      });
    }
    const created_by = applyMeta(st, x, { file: this.file, scope: { buildArgs: this.plan.buildArgs, globalArgs: this.plan.globalArgs, escape: esc.escape, file: this.file } });
    if (created_by === null) throw new InvalidArgument(`${this.file}:${ins.line}: ${ins.kind} is not supported here`);
    this.meta(st, created_by);
  }

  private meta(st: StageState, created_by: string, keyText = created_by): void {
    st.key = stepKey(st.key, ['meta', keyText]);
    st.history.push({ created: this.o.sourceDateEpoch !== undefined ? this.now : st.lastCreated, created_by, empty_layer: true });
  }

  /** A RUN/COPY/ADD: from the cache when its key is there, else run (and recorded). */
  private async layerStep(st: StageState, n: number, created_by: string, parts: unknown[], run: () => Promise<StepLayer | null>): Promise<void> {
    const key = stepKey(st.key, parts);
    let rec = this.o.noCache ? null : lookup(this.s.l, (d) => this.s.blobs.has(d), key);
    if (rec) {
      this.cached++;
      this.emit({ kind: 'cached', n });
    } else {
      this.ran++;
      const layer = await run();
      rec = { layer, created: this.now };
      record(this.s.l, key, rec);
    }
    st.key = key;
    st.lastCreated = rec.created;
    if (rec.layer) st.layers.push(rec.layer);
    st.history.push({ created: rec.created, created_by, ...(rec.layer ? {} : { empty_layer: true }) });
  }

  async commit(st: StageState, tags: string[]): Promise<{ id: string; manifestDigest: string }> {
    const config = { ...st.config, ...(this.o.labels && Object.keys(this.o.labels).length ? { Labels: { ...(st.config.Labels ?? {}), ...this.o.labels } } : {}) };
    const history: HistoryEntry[] = st.history;
    const created = this.o.sourceDateEpoch !== undefined ? this.now : st.lastCreated;
    const c = await commitImage(this.s, { parent: st.parent, layers: st.layers, config, history, created, ...(st.author ? { author: st.author } : {}), tags }, this.added);
    return { id: c.id, manifestDigest: c.manifestDigest };
  }
}

function runArgs(st: StageState, x: Extract<Instruction, { kind: 'RUN' }>): string[] {
  return x.command.form === 'exec' ? x.command.args : [...(st.config.Shell?.length ? st.config.Shell : ['/bin/sh', '-c']), x.command.text];
}

/** Reads the Dockerfile and context, plans, builds the needed stages, commits the target. */
export async function buildImage(ctx: Ctx, o: BuildOptions): Promise<BuildResult> {
  let st: fs.Stats;
  try {
    st = fs.statSync(o.contextDir);
  } catch {
    throw new InvalidArgument(`unable to prepare context: path "${o.contextDir}" not found`);
  }
  if (!st.isDirectory()) throw new InvalidArgument(`unable to prepare context: context must be a directory: ${o.contextDir}`);
  const dfPath = o.dockerfile ?? path.join(o.contextDir, 'Dockerfile');
  let text = o.dockerfileText;
  if (text === undefined) {
    try {
      text = fs.readFileSync(dfPath, 'utf8');
    } catch (e) {
      throw new InvalidArgument(`failed to read dockerfile: open ${dfPath}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
  }
  const tags = o.tags ?? [];
  checkTags(tags);
  const df = parseDockerfile(text, o.dockerfileText !== undefined ? 'Dockerfile' : path.basename(dfPath));
  const plan = planBuild(df, { ...(o.target ? { target: o.target } : {}), ...(o.buildArgs ? { buildArgs: o.buildArgs } : {}) });
  for (const w of df.warnings) o.onEvent?.({ kind: 'warning', text: w });
  for (const a of plan.unusedBuildArgs) o.onEvent?.({ kind: 'warning', text: `[Warning] One or more build-args [${a}] were not consumed` });
  const ignore = loadIgnore(o.contextDir, o.dockerfileText !== undefined ? undefined : dfPath);
  const s = (await ctx.images.service()) as unknown as StoreParts;
  // The dashboard's images view shows the build while it runs (build/status.ts).
  const steps = plan.order.reduce((n, i) => n + plan.stages[i].stage.instructions.length + 1, 0);
  const status = new BuildStatusWriter(ctx.paths, { tags, context: o.contextDir, dockerfile: o.dockerfileText !== undefined ? '-' : dfPath, steps, step: 0, current: '' });
  let step = 0;
  const onEvent = o.onEvent;
  o = {
    ...o,
    onEvent: (e) => {
      if (e.kind === 'step' && e.name.startsWith('[')) status.update({ step: ++step, current: e.name });
      onEvent?.(e);
    },
  };
  fs.mkdirSync(cacheDir(s.l), { recursive: true, mode: 0o700 });
  const statCache = StatCache.open(path.join(cacheDir(s.l), 'stat-cache'));
  try {
    return await adding(s, async (added) => {
      const b = new Build(ctx, s, added, o, plan, ignore, statCache);
      for (const i of plan.order) b.states.set(i, await b.stage(plan.stages[i]));
      const done = await b.vertex('exporting to image', async (n) => {
        const r = await b.commit(b.states.get(plan.target)!, tags);
        b.emit({ kind: 'log', n, text: `writing image ${r.id} done` });
        for (const t of tags) b.emit({ kind: 'log', n, text: `naming to ${t} done` });
        return r;
      });
      statCache.save();
      return { ...done, tags, ran: b.ran, cached: b.cached };
    });
  } finally {
    status.close();
  }
}
