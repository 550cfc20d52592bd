// A stage's variables while it builds, as BuildKit keeps them: one ordered
// environment used for substitution and for RUN (the base image's Env, then each
// ARG that has a value and each ENV, a later one replacing an earlier one of the
// same name), the image config's Env (ENV only: ARG values never reach the image),
// and the ARGs declared so far (what RUN's cache key and history name as
// `|N NAME=value …`). A stage built FROM another stage starts from a copy of it.
import type { ArgInstruction, EscapeChar, KeyValue } from './types.js';
import { lex, LexError, type Lookup } from './lex.js';
import { lineError } from './location.js';

/** The PATH BuildKit gives a stage whose image has none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ArgScope {
  /** `--build-arg` values. */
  buildArgs: ReadonlyMap<string, string>;
  /** Automatic args and meta ARGs (BuildPlan.globalArgs): what a bare `ARG NAME` inherits. */
  globalArgs: ReadonlyMap<string, string>;
  escape: EscapeChar;
  /** For messages. */
  file: string;
}

export interface DeclaredArg {
  name: string;
  /** Undefined: declared without a value from anywhere (unset). */
  value?: string;
}

const split = (kv: string): [string, string] => {
  const i = kv.indexOf('=');
  return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)];
};

export class StageVariables {
  private readonly env = new Map<string, string>();
  private readonly config = new Map<string, string>();
  private readonly args: DeclaredArg[] = [];

  private constructor() {}

  /** A stage on an image (or scratch: []): its Env, PATH added when it has none. */
  static fromImage(imageEnv: readonly string[]): StageVariables {
    const v = new StageVariables();
    for (const kv of imageEnv) {
      const [k, val] = split(kv);
      v.env.set(k, val);
      v.config.set(k, val);
    }
    if (!v.config.has('PATH')) {
      v.env.set('PATH', DEFAULT_PATH);
      v.config.set('PATH', DEFAULT_PATH);
    }
    return v;
  }

  /** For a stage whose FROM is this one: env, config and declared ARGs carry over. */
  clone(): StageVariables {
    const v = new StageVariables();
    for (const [k, val] of this.env) v.env.set(k, val);
    for (const [k, val] of this.config) v.config.set(k, val);
    v.args.push(...this.args.map((a) => ({ ...a })));
    return v;
  }

  get(name: string): string | undefined {
    return this.env.get(name);
  }

  /** What substitution reads. */
  readonly lookup: Lookup = (name) => this.env.get(name);

  /**
   * ARG: a --build-arg wins, else the default (substituted now), else for a bare
   * name the global (meta/automatic) value. Returns the history text
   * (`ARG a=1 b`) and the names the defaults read.
   */
  declareArgs(ins: ArgInstruction, scope: ArgScope): { history: string; read: string[] } {
    const read = new Set<string>();
    const parts: string[] = [];
    for (const a of ins.args) {
      let value: string | undefined;
      const given = scope.buildArgs.get(a.name);
      if (given !== undefined) value = given;
      else if (a.default !== undefined) {
        try {
          const r = lex(a.default, this.lookup, { escape: scope.escape });
          for (const n of r.read) read.add(n);
          value = r.value;
        } catch (e) {
          if (e instanceof LexError) throw lineError(scope.file, ins.line, e.message);
          throw e;
        }
      } else value = scope.globalArgs.get(a.name);
      if (value !== undefined) this.env.set(a.name, value);
      this.args.push({ name: a.name, ...(value !== undefined ? { value } : {}) });
      parts.push(value === undefined ? a.name : `${a.name}=${value}`);
    }
    return { history: `ARG ${parts.join(' ')}`, read: [...read] };
  }

  /** ENV with substituted pairs: into the environment and the image config. */
  setEnv(pairs: readonly KeyValue[]): string {
    for (const { key, value } of pairs) {
      this.env.set(key, value);
      this.config.set(key, value);
    }
    return `ENV ${pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`;
  }

  /** The image config's Env (`K=V`). */
  configEnv(): string[] {
    return [...this.config].map(([k, v]) => `${k}=${v}`);
  }

  /** RUN's environment: the image's Env, ARG values and ENV. */
  runEnv(): string[] {
    return [...this.env].map(([k, v]) => `${k}=${v}`);
  }

  /**
   * The ARGs in scope with their current values (an ENV of the same name wins),
   * each name once, in declaration order: RUN's cache key and history use them.
   */
  argsInScope(): DeclaredArg[] {
    const out = new Map<string, DeclaredArg>();
    for (const a of this.args) {
      const v = this.env.get(a.name) ?? a.value;
      out.set(a.name, { name: a.name, ...(v !== undefined ? { value: v } : {}) });
    }
    return [...out.values()];
  }

  /** BuildKit's RUN history prefix: `|2 A=1 B=` or '' when no ARG is in scope. */
  runHistoryPrefix(): string {
    const a = this.argsInScope();
    return a.length ? `|${a.length} ${a.map((x) => `${x.name}=${x.value ?? ''}`).join(' ')}` : '';
  }
}
