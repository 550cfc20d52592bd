// `commit -c INSTRUCTION`: docker's --change, Dockerfile instructions that change
// an image's runtime config and nothing else (CMD, ENTRYPOINT, ENV, EXPOSE,
// LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR), one per line. Deliberately
// small: no variable substitution, no line continuations, no parser directives;
// the Dockerfile parser of `build` is elsewhere (build/dockerfile/). Pure: every
// change is checked before anything is made.
import { splitWords as shellWords } from '../shell-words.js';
import path from 'node:path';
import { InvalidArgument } from '../errors.js';
import { signalNumber } from '../security/process.js';
import type { RuntimeConfig } from './commit.js';

export const CHANGE_INSTRUCTIONS = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'] as const;

const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** A copy of `config` with the changes applied in order; InvalidArgument (naming the change) for a bad one. */
export function applyChanges(config: RuntimeConfig, changes: readonly string[]): RuntimeConfig {
  const c: RuntimeConfig = structuredClone(config);
  let cmdSet = false;
  for (const line of changes) {
    const m = /^\s*(\S+)\s*([\s\S]*?)\s*$/.exec(line);
    const bad = (why: string): never => {
      throw new InvalidArgument(`invalid change "${line.trim()}": ${why}`);
    };
    if (!m) bad('empty');
    const word = m![1].toUpperCase();
    const rest = m![2];
    if (!(CHANGE_INSTRUCTIONS as readonly string[]).includes(word)) bad(`${word} is not a valid change command (one of ${CHANGE_INSTRUCTIONS.join(', ')})`);
    if (!rest) bad(`${word} requires at least one argument`);
    switch (word) {
      case 'CMD':
        c.Cmd = commandForm(rest, c.Shell);
        cmdSet = true;
        break;
      case 'ENTRYPOINT':
        c.Entrypoint = commandForm(rest, c.Shell);
        // docker: an ENTRYPOINT drops the inherited CMD unless a CMD came before it.
        if (!cmdSet) c.Cmd = null;
        break;
      case 'ENV':
        for (const [k, v] of pairs(rest, bad)) {
          const env = (c.Env ?? []).filter((e) => e.split('=')[0] !== k);
          c.Env = [...env, `${k}=${v}`];
        }
        break;
      case 'LABEL':
        for (const [k, v] of pairs(rest, bad)) c.Labels = { ...(c.Labels ?? {}), [k]: v };
        break;
      case 'EXPOSE':
        for (const p of rest.split(/\s+/)) for (const port of exposed(p, bad)) c.ExposedPorts = { ...(c.ExposedPorts ?? {}), [port]: {} };
        break;
      case 'VOLUME': {
        const list = jsonList(rest) ?? rest.split(/\s+/);
        for (const v of list) {
          if (!v.trim()) bad('VOLUME specified can not be an empty string');
          c.Volumes = { ...(c.Volumes ?? {}), [v]: {} };
        }
        break;
      }
      case 'USER':
        c.User = rest;
        break;
      case 'WORKDIR':
        // Relative to the working directory before it, as in a Dockerfile.
        c.WorkingDir = path.posix.resolve(c.WorkingDir || '/', rest);
        break;
      case 'STOPSIGNAL':
        try {
          signalNumber(rest);
        } catch {
          bad(`invalid signal: ${rest}`);
        }
        c.StopSignal = rest;
        break;
      case 'ONBUILD': {
        const trigger = rest.split(/\s+/)[0].toUpperCase();
        if (['ONBUILD', 'FROM', 'MAINTAINER'].includes(trigger)) bad(`${trigger} isn't allowed as an ONBUILD trigger`);
        c.OnBuild = [...(c.OnBuild ?? []), rest];
        break;
      }
    }
  }
  return c;
}

/** Exec form (a JSON list of strings) or shell form (the text run by the image's shell). */
function commandForm(rest: string, shell: string[] | undefined): string[] {
  return jsonList(rest) ?? [...(shell?.length ? shell : DEFAULT_SHELL), rest];
}

/** A JSON list of strings, or null when the text is not one (it is then the shell form, as docker reads it). */
function jsonList(text: string): string[] | null {
  if (!text.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : null;
  } catch {
    return null;
  }
}

/** `K=V K2="v 2"`, or the legacy `K the rest` (one pair); quotes and backslashes as the Dockerfile reads them. */
function pairs(rest: string, bad: (why: string) => never): Array<[string, string]> {
  const words = splitWords(rest, bad);
  if (!words[0].includes('=')) {
    // Legacy form: the name, then everything after it verbatim.
    const name = words[0];
    const value = rest.slice(rest.indexOf(name) + name.length).trim();
    if (!value) bad(`${name} needs a value (NAME=VALUE, or NAME VALUE)`);
    return [[name, unquote(value, bad)]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i < 0) bad(`can't find = in "${w}": must be of the form name=value`);
    if (i === 0) bad('names can not be blank');
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** Words as a shell splits them (shell-words.ts); an unterminated quote is the change's error. */
function splitWords(s: string, bad: (why: string) => never): string[] {
  try {
    return shellWords(s);
  } catch (e) {
    return bad((e as Error).message);
  }
}

function unquote(v: string, bad: (why: string) => never): string {
  return /^(["']).*\1$/s.test(v) ? splitWords(v, bad).join(' ') : v;
}

/** `80`, `53/udp`, `8000-8002/tcp` → docker's port keys. */
function exposed(p: string, bad: (why: string) => never): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
  if (!m) bad(`invalid containerPort: ${p}`);
  const lo = Number(m![1]);
  const hi = m![2] !== undefined ? Number(m![2]) : lo;
  if (lo < 1 || hi > 65535 || hi < lo) bad(`invalid containerPort: ${p}`);
  const proto = (m![3] ?? 'tcp').toLowerCase();
  const out: string[] = [];
  for (let n = lo; n <= hi; n++) out.push(`${n}/${proto}`);
  return out;
}
