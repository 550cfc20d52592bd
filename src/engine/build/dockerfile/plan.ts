// The stages a build needs, as BuildKit's dockerfile2llb works them out: meta ARGs
// (before the first FROM) resolved with --build-arg values and the automatic
// platform args; each FROM substituted with them and resolved to scratch, an
// earlier stage (`FROM builder`) or an image; `COPY --from=name|index|image`; the
// target (`--target`, else the last stage) and only the stages it reaches through
// FROM and COPY --from (the others are skipped). --build-args that nothing
// declares are returned so the CLI can warn, as docker does.
import type { CopyInstruction, Dockerfile, Stage } from './types.js';
import { lex, LexError, fromMap, nothing } from './lex.js';
import { lineError, Problem } from './location.js';
import { AUTOMATIC_ARGS, automaticArgs, hostPlatform, parsePlatform, PROXY_ARGS, type Platform } from './platform.js';
import { InvalidArgument } from '../../errors.js';

export interface PlanOptions {
  /** `--target`: a stage name; default the last stage. */
  target?: string;
  /** `--build-arg K=V` (a `--build-arg K` without value is resolved by the CLI from its environment). */
  buildArgs?: ReadonlyMap<string, string>;
  /** Target platform; default the host's. */
  platform?: Platform;
  /** Build platform; default the host's. */
  buildPlatform?: Platform;
}

export type BaseRef = { kind: 'scratch' } | { kind: 'stage'; index: number } | { kind: 'image'; ref: string };
export type CopyFromRef = { kind: 'stage'; index: number } | { kind: 'image'; ref: string };

export interface PlannedStage {
  stage: Stage;
  /** BuildKit's label for it: the name, or `stage-N`. */
  label: string;
  /** The FROM line's base after substitution. */
  base: BaseRef;
  /** `--platform` after substitution, parsed. */
  platform?: Platform;
  /** The global args the FROM line read (base and platform): part of the base's cache key. */
  fromRead: string[];
  /** Each `COPY --from=` of the stage, resolved. */
  copyFrom: Map<CopyInstruction, CopyFromRef>;
  /** Stages this one needs first (its base stage, COPY --from stages). */
  dependsOn: number[];
}

export interface BuildPlan {
  dockerfile: Dockerfile;
  /** Automatic args and meta ARGs: what FROM lines and a bare `ARG NAME` in a stage see. */
  globalArgs: Map<string, string>;
  buildArgs: Map<string, string>;
  /** Every stage, by index (FROM lines of unused stages are checked too, as docker does). */
  stages: PlannedStage[];
  /** The stages to build, in file order (dependencies come first), the target last. */
  order: number[];
  target: number;
  /** --build-args that no meta ARG nor needed stage declares (docker warns about them). */
  unusedBuildArgs: string[];
  /** Proxy args among the --build-args: RUN's environment gets them, history and cache key do not. */
  proxyEnv: Map<string, string>;
}

const PROXY = new Set(PROXY_ARGS);
const NOT_WARNED = new Set([...AUTOMATIC_ARGS, ...PROXY_ARGS, 'SOURCE_DATE_EPOCH']);

/** `--from=`: a stage (by name or 0-based index, defined before `current`) or an image. */
export function resolveCopyFrom(from: string, stages: readonly Stage[], current: number, escape: '\\' | '`' = '\\'): CopyFromRef {
  let plain: string;
  try {
    plain = lex(from, nothing, { escape }).value;
  } catch {
    plain = '';
  }
  if (plain !== from) throw new Problem('variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround');
  const here = stages[current];
  const label = here?.name ?? `stage-${current}`;
  let index: number;
  if (/^[+-]?\d+$/.test(from)) {
    index = Number(from);
    if (index < 0 || index >= stages.length) throw new Problem(`invalid stage index ${index}`);
  } else {
    const found = stages.find((s) => s.name === from.toLowerCase());
    if (!found) return { kind: 'image', ref: from };
    index = found.index;
  }
  if (index >= current) throw new Problem(`cannot copy from stage ${JSON.stringify(from)}, it needs to be defined before current stage ${JSON.stringify(label)}`);
  return { kind: 'stage', index };
}

/** Plans a build of `df`; throws InvalidArgument `file:line: …` on a bad FROM, --from or target. */
export function planBuild(df: Dockerfile, opts: PlanOptions = {}): BuildPlan {
  const buildArgs = new Map(opts.buildArgs ?? []);
  const target = opts.platform ?? hostPlatform();
  const build = opts.buildPlatform ?? hostPlatform();
  const fail = (line: number, e: unknown) => (e instanceof LexError || e instanceof Problem ? lineError(df.file, line, e.message) : e);

  let targetIndex = df.stages.length - 1;
  if (opts.target) {
    const found = df.stages.find((s) => s.name === opts.target?.toLowerCase());
    if (!found) throw new InvalidArgument(`target stage ${JSON.stringify(opts.target)} could not be found`);
    targetIndex = found.index;
  }

  // Meta ARGs: a --build-arg wins, else the default substituted with what came before.
  const globalArgs = automaticArgs(target, build, df.stages[targetIndex].name ?? '', buildArgs);
  for (const ins of df.metaArgs) {
    for (const a of ins.args) {
      let value = buildArgs.get(a.name);
      if (value === undefined && a.default !== undefined) {
        try {
          value = lex(a.default, fromMap(globalArgs), { escape: df.escape }).value;
        } catch (e) {
          throw fail(ins.line, e);
        }
      }
      if (value !== undefined) globalArgs.set(a.name, value);
    }
  }

  const stages: PlannedStage[] = df.stages.map((stage) => {
    const from = stage.from;
    const read = new Set<string>();
    const sub = (word: string) => {
      const r = lex(word, fromMap(globalArgs), { escape: df.escape });
      r.read.forEach((n) => read.add(n));
      return r.value;
    };
    let base: BaseRef;
    let platform: Platform | undefined;
    try {
      const name = sub(from.image);
      if (name === '') throw new Problem(`base name (${from.image}) should not be blank`);
      const earlier = df.stages.find((s) => s.index < stage.index && s.name === name);
      base = earlier ? { kind: 'stage', index: earlier.index } : name === 'scratch' ? { kind: 'scratch' } : { kind: 'image', ref: name };
      if (from.platform !== undefined) {
        const p = sub(from.platform);
        if (p === '') throw new Problem(`empty platform value from expression ${from.platform}`);
        platform = parsePlatform(p);
      }
    } catch (e) {
      throw fail(from.line, e);
    }
    const copyFrom = new Map<CopyInstruction, CopyFromRef>();
    for (const ins of stage.instructions) {
      if ((ins.kind === 'COPY' || ins.kind === 'ADD') && ins.from !== undefined) {
        try {
          copyFrom.set(ins, resolveCopyFrom(ins.from, df.stages, stage.index, df.escape));
        } catch (e) {
          throw fail(ins.line, e);
        }
      }
    }
    const deps = new Set<number>();
    if (base.kind === 'stage') deps.add(base.index);
    for (const r of copyFrom.values()) if (r.kind === 'stage') deps.add(r.index);
    return {
      stage,
      label: stage.name ?? `stage-${stage.index}`,
      base,
      ...(platform ? { platform } : {}),
      fromRead: [...read],
      copyFrom,
      dependsOn: [...deps].sort((a, b) => a - b),
    };
  });

  const needed = new Set<number>();
  const visit = (i: number) => {
    if (needed.has(i)) return;
    needed.add(i);
    stages[i].dependsOn.forEach(visit);
  };
  visit(targetIndex);
  const order = [...needed].sort((a, b) => a - b);

  const declared = new Set<string>();
  for (const ins of df.metaArgs) for (const a of ins.args) declared.add(a.name);
  for (const i of order) for (const ins of df.stages[i].instructions) if (ins.kind === 'ARG') for (const a of ins.args) declared.add(a.name);
  const unusedBuildArgs = [...buildArgs.keys()].filter((k) => !declared.has(k) && !NOT_WARNED.has(k)).sort();

  const proxyEnv = new Map<string, string>();
  for (const [k, v] of buildArgs) if (PROXY.has(k) || PROXY.has(k.toUpperCase())) proxyEnv.set(k, v);

  return { dockerfile: df, globalArgs, buildArgs, stages, order, target: targetIndex, unusedBuildArgs, proxyEnv };
}
