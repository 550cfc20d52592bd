// A seccomp profile in moby's default.json format (also OCI's linux.seccomp, which has
// `architectures` where moby has `archMap`): parsing a user's file with one-line
// errors, and resolving its conditional rules for one container.
import { InvalidArgument } from '../../errors.js';

export type Action =
  | 'SCMP_ACT_KILL' | 'SCMP_ACT_KILL_PROCESS' | 'SCMP_ACT_KILL_THREAD' | 'SCMP_ACT_TRAP'
  | 'SCMP_ACT_ERRNO' | 'SCMP_ACT_TRACE' | 'SCMP_ACT_ALLOW' | 'SCMP_ACT_LOG';
export type Op = 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';

export interface Arg {
  index: number;
  value: number | bigint;
  /** MASKED_EQ: the value (arg & value) must equal. */
  valueTwo?: number | bigint;
  op: Op;
}

export interface Filter {
  caps?: string[];
  arches?: string[];
  minKernel?: string;
}

export interface Rule {
  names: string[];
  action: Action | string;
  errnoRet?: number;
  args?: Arg[] | null;
  comment?: string;
  includes?: Filter;
  excludes?: Filter;
}

export interface Profile {
  defaultAction: Action | string;
  defaultErrnoRet?: number;
  archMap?: Array<{ architecture: string; subArchitectures?: string[] | null }>;
  architectures?: string[];
  flags?: string[];
  syscalls?: Rule[] | null;
}

export const ACTIONS: ReadonlySet<string> = new Set([
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG',
]);
const OPS: ReadonlySet<string> = new Set(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']);
/** seccomp(2) filter flags a profile may ask for; TSYNC is moot (the monitor is single-threaded). */
export const FLAGS: Readonly<Record<string, string | null>> = {
  SECCOMP_FILTER_FLAG_TSYNC: null,
  SECCOMP_FILTER_FLAG_LOG: 'log',
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 'spec_allow',
};

/** Parses and checks a profile file's text; `where` names it in the one-line error. */
export function parseProfile(text: string, where: string): Profile {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch (e) {
    throw new InvalidArgument(`seccomp profile ${where}: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const bad = (what: string) => new InvalidArgument(`seccomp profile ${where}: ${what}`);
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw bad('not a JSON object');
  const prof = p as Profile;
  checkAction(prof.defaultAction, 'defaultAction', bad);
  if (prof.syscalls != null && !Array.isArray(prof.syscalls)) throw bad('"syscalls" is not a list');
  for (const f of prof.flags ?? []) if (!(f in FLAGS)) throw bad(`unknown flag ${JSON.stringify(f)}`);
  (prof.syscalls ?? []).forEach((r, i) => {
    const at = `syscalls[${i}]`;
    if (!r || typeof r !== 'object') throw bad(`${at} is not an object`);
    if (!Array.isArray(r.names) || r.names.some((n) => typeof n !== 'string')) throw bad(`${at}.names is not a list of names`);
    checkAction(r.action, `${at}.action`, bad);
    for (const a of r.args ?? []) {
      if (!OPS.has(a?.op)) throw bad(`${at}: unknown operator ${JSON.stringify(a?.op)}`);
      if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5) throw bad(`${at}: argument index ${JSON.stringify(a.index)} is not 0-5`);
      for (const v of [a.value, a.valueTwo ?? 0]) if (!validValue(v)) throw bad(`${at}: argument value ${JSON.stringify(String(v))} is not a 64-bit unsigned number`);
    }
  });
  return prof;
}

function validValue(v: unknown): boolean {
  if (typeof v === 'bigint') return v >= 0n && v < 1n << 64n;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function checkAction(a: unknown, at: string, bad: (w: string) => Error): void {
  if (typeof a !== 'string') throw bad(`${at} is missing`);
  if (a === 'SCMP_ACT_NOTIFY') throw bad(`${at}: SCMP_ACT_NOTIFY needs a listener, which hutch does not have`);
  if (!ACTIONS.has(a)) throw bad(`${at}: unknown action ${JSON.stringify(a)}`);
}

/** A rule that applies to this container, for one syscall name. */
export interface Resolved {
  name: string;
  action: string;
  errnoRet?: number;
  args: Arg[];
}

/** The facts the profile's includes/excludes test. */
export interface Target {
  /** The container's capabilities, `CAP_` names. */
  caps: readonly string[];
  /** The running kernel's release (os.release()). */
  kernel: string;
}

// The names this architecture answers to in moby's `arches` (runtime.GOARCH first).
const NATIVE_ARCHES = new Set(['amd64', 'x86_64', 'SCMP_ARCH_X86_64']);

/** The profile's rules that apply to `t`, in profile order, one per name. */
export function resolveRules(p: Profile, t: Target): Resolved[] {
  const caps = new Set(t.caps.map((c) => c.toUpperCase()));
  const out: Resolved[] = [];
  for (const r of p.syscalls ?? []) {
    const inc = r.includes ?? {};
    const exc = r.excludes ?? {};
    if (inc.caps?.length && !inc.caps.every((c) => caps.has(c))) continue;
    if (inc.arches?.length && !inc.arches.some((a) => NATIVE_ARCHES.has(a))) continue;
    if (inc.minKernel && kernelBelow(t.kernel, inc.minKernel)) continue;
    if (exc.caps?.some((c) => caps.has(c))) continue;
    if (exc.arches?.some((a) => NATIVE_ARCHES.has(a))) continue;
    if (exc.minKernel && !kernelBelow(t.kernel, exc.minKernel)) continue;
    for (const name of r.names) out.push({ name, action: r.action, ...(r.errnoRet !== undefined ? { errnoRet: r.errnoRet } : {}), args: r.args ?? [] });
  }
  return out;
}

/** Release "6.18.44-fc" below "4.8"? Compares major.minor.patch numerically. */
export function kernelBelow(release: string, min: string): boolean {
  const nums = (s: string) => (/^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(s) ?? []).slice(1, 4).map((x) => Number(x ?? 0));
  const a = nums(release);
  const b = nums(min);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** Whether the profile names x86_64 (archMap or architectures); absent lists mean the native one. */
export function coversX86_64(p: Profile): boolean {
  const arches = [...(p.archMap ?? []).map((m) => m.architecture), ...(p.architectures ?? [])];
  return arches.length === 0 || arches.includes('SCMP_ARCH_X86_64');
}
