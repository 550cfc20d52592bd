// One logical line → one typed instruction, with docker's argument rules and
// messages (moby/buildkit frontend/dockerfile/instructions/parse.go): the flags each
// instruction takes, how many arguments, exec form vs shell form, key=value forms.
// Keywords are case-insensitive. Nothing is substituted here.
import type { CommandLine, CopyInstruction, CopySource, Heredoc, Instruction, KeyValue, RunNetwork } from './types.js';
import type { LogicalLine } from './lines.js';
import { parseFlags, type FlagSpec, type FlagValues } from './flags.js';
import { chompTabs, heredocWord } from './heredoc.js';
import { HEALTHCHECK_FLAGS, parseHealthcheck } from './healthcheck.js';
import { lineError, Problem } from './location.js';
import { extractFlags, parseJsonArgs, quotedWords, splitKeyword, splitWhitespace, WHITESPACE } from './words.js';

const FLAGS: Record<string, FlagSpec> = {
  from: { platform: 'string' },
  run: { network: 'string', mount: 'string', security: 'string', device: 'string' },
  copy: { from: 'string', chown: 'string', chmod: 'string', link: 'bool' },
  add: { chown: 'string', chmod: 'string', link: 'bool', checksum: 'string', 'keep-git-dir': 'bool' },
  healthcheck: HEALTHCHECK_FLAGS,
};

const KEYWORDS = new Set(['from', 'run', 'copy', 'add', 'env', 'label', 'arg', 'workdir', 'user', 'cmd', 'entrypoint', 'expose', 'volume', 'healthcheck', 'shell', 'stopsignal', 'onbuild', 'maintainer']);

/** Instructions whose shell form can carry here-documents. */
export const HEREDOC_KEYWORDS = new Set(['run', 'copy', 'add']);

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
const NETWORKS = new Set<RunNetwork>(['default', 'none', 'host']);


function jsonOrShell(args: string, keyword: string): CommandLine {
  const j = parseJsonArgs(args);
  if (j.ok) return { form: 'exec', args: j.args };
  if (j.notStrings) throw new Problem(`${keyword}: when using JSON array syntax, arrays must be comprised of strings only`);
  return { form: 'shell', text: args };
}

/** COPY, ADD, VOLUME: a JSON array or whitespace-separated words. */
function jsonOrWords(args: string, keyword: string): { list: string[]; json: boolean } {
  const j = parseJsonArgs(args);
  if (j.ok) return { list: j.args, json: true };
  if (j.notStrings) throw new Problem(`${keyword}: when using JSON array syntax, arrays must be comprised of strings only`);
  return { list: splitWhitespace(args), json: false };
}

/** ENV and LABEL: `k=v …` (quotes allowed) or the legacy `k v`. */
function keyValues(args: string, keyword: string, escape: string): KeyValue[] {
  const words = quotedWords(args, escape);
  if (words.length === 0) throw new Problem(`${keyword} requires at least one argument`);
  let pairs: KeyValue[];
  if (!words[0].includes('=')) {
    const m = WHITESPACE.exec(args);
    if (!m) throw new Problem(`${keyword} must have two arguments`);
    pairs = [{ key: args.slice(0, m.index), value: args.slice(m.index + m[0].length) }];
  } else {
    pairs = words.map((w) => {
      const eq = w.indexOf('=');
      if (eq < 0) throw new Problem(`Syntax error - can't find = in ${JSON.stringify(w)}. Must be of the form: name=value`);
      return { key: w.slice(0, eq), value: w.slice(eq + 1) };
    });
  }
  if (pairs.some((p) => p.key === '')) throw new Problem(`${keyword} names can not be blank`);
  return pairs;
}

function exactlyOne(args: string, keyword: string): string {
  if (args === '') throw new Problem(`${keyword} requires exactly one argument`);
  return args;
}

function heredocOf(l: LogicalLine, name: string): Heredoc | undefined {
  const h = l.heredocs.find((x) => x.name === name);
  if (!h) return undefined;
  return { name: h.name, content: h.chomp ? chompTabs(h.raw) : h.raw, expand: h.expand, chomp: h.chomp, fd: h.fd };
}

function copyLike(kw: 'copy' | 'add', args: string, flags: FlagValues, l: LogicalLine): Omit<CopyInstruction, 'line' | 'endLine' | 'original'> {
  const keyword = kw.toUpperCase() as 'COPY' | 'ADD';
  const { list, json } = jsonOrWords(args, keyword);
  if (list.length < 2) throw new Problem(`${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`);
  const dest = list[list.length - 1];
  if (!json && heredocWord(dest)) throw new Problem(`${keyword} cannot accept a heredoc as a destination`);
  if (flags.checksum !== undefined) throw new Problem('ADD --checksum is not supported (hutch does not fetch URLs or git sources)');
  if (flags['keep-git-dir'] !== undefined) throw new Problem('ADD --keep-git-dir is not supported (hutch does not fetch git sources)');
  const sources: CopySource[] = list.slice(0, -1).map((src) => {
    const h = json ? undefined : heredocWord(src);
    const doc = h && heredocOf(l, h.name);
    return doc ? { kind: 'heredoc', heredoc: doc } : { kind: 'path', path: src };
  });
  return {
    kind: keyword,
    sources,
    dest,
    ...(typeof flags.from === 'string' ? { from: flags.from } : {}),
    ...(typeof flags.chown === 'string' ? { chown: flags.chown } : {}),
    ...(typeof flags.chmod === 'string' ? { chmod: flags.chmod } : {}),
    link: flags.link === true,
    json,
  };
}

function onbuild(file: string, args: string, l: LogicalLine, escape: string, original: string): Instruction {
  if (args === '') throw new Problem('ONBUILD requires at least one argument');
  const inner = splitKeyword(args).keyword.toUpperCase();
  if (inner === 'ONBUILD') throw new Problem('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (inner === 'MAINTAINER' || inner === 'FROM') throw new Problem(`${inner} isn't allowed as an ONBUILD trigger`);
  const trigger = toInstruction(file, { ...l, text: args }, escape);
  let expression = original.replace(/^\s*ONBUILD\s*/i, '');
  for (const h of l.heredocs) expression += '\n' + h.raw + h.name;
  return { kind: 'ONBUILD', line: l.line, endLine: l.endLine, original, expression, trigger };
}

/** Types one logical line; throws InvalidArgument `file:line: message`. */
export function toInstruction(file: string, l: LogicalLine, escape: string): Instruction {
  const original = l.text.trim();
  const { keyword, rest } = splitKeyword(l.text);
  const kw = keyword.toLowerCase();
  const base = { line: l.line, endLine: l.endLine, original };
  try {
    if (!KEYWORDS.has(kw)) throw new Problem(`unknown instruction: ${keyword}`);
    const { flags: rawFlags, rest: args } = extractFlags(rest);
    const flags = parseFlags(rawFlags, FLAGS[kw] ?? {});
    switch (kw) {
      case 'from': {
        const words = splitWhitespace(args);
        let stageName: string | undefined;
        if (words.length === 3 && words[1].toLowerCase() === 'as') {
          stageName = words[2].toLowerCase();
          if (!STAGE_NAME.test(stageName)) throw new Problem(`invalid name for build stage: ${JSON.stringify(words[2])}, name can't start with a number or contain symbols`);
        } else if (words.length !== 1) throw new Problem('FROM requires either one or three arguments');
        return { kind: 'FROM', ...base, image: words[0], ...(stageName ? { stageName } : {}), ...(typeof flags.platform === 'string' ? { platform: flags.platform } : {}) };
      }
      case 'run': {
        for (const f of ['mount', 'security', 'device'] as const) {
          if (flags[f] !== undefined) throw new Problem(`RUN --${f} is not supported by hutch build`);
        }
        const network = flags.network as RunNetwork | undefined;
        if (network !== undefined && !NETWORKS.has(network)) throw new Problem(`unsupported network mode ${JSON.stringify(network)}`);
        const command = jsonOrShell(args, 'RUN');
        const heredocs = command.form === 'shell' ? l.heredocs.map((h) => heredocOf(l, h.name) as Heredoc) : [];
        return { kind: 'RUN', ...base, command, heredocs, ...(network ? { network } : {}) };
      }
      case 'copy':
      case 'add':
        return { ...base, ...copyLike(kw, args, flags, l) };
      case 'env':
        return { kind: 'ENV', ...base, pairs: keyValues(args, 'ENV', escape) };
      case 'label':
        return { kind: 'LABEL', ...base, pairs: keyValues(args, 'LABEL', escape) };
      case 'arg': {
        const words = quotedWords(args, escape);
        if (words.length === 0) throw new Problem('ARG requires at least one argument');
        const decl = words.map((w) => {
          const eq = w.indexOf('=');
          if (eq === 0) throw new Problem('ARG names can not be blank');
          return eq < 0 ? { name: w } : { name: w.slice(0, eq), default: w.slice(eq + 1) };
        });
        return { kind: 'ARG', ...base, args: decl };
      }
      case 'workdir':
        return { kind: 'WORKDIR', ...base, path: exactlyOne(args, 'WORKDIR') };
      case 'user':
        return { kind: 'USER', ...base, user: exactlyOne(args, 'USER') };
      case 'stopsignal':
        return { kind: 'STOPSIGNAL', ...base, signal: exactlyOne(args, 'STOPSIGNAL') };
      case 'maintainer':
        return { kind: 'MAINTAINER', ...base, maintainer: exactlyOne(args, 'MAINTAINER') };
      case 'cmd':
      case 'entrypoint':
        return { kind: kw.toUpperCase() as 'CMD' | 'ENTRYPOINT', ...base, command: jsonOrShell(args, kw.toUpperCase()) };
      case 'expose': {
        const ports = splitWhitespace(args);
        if (ports.length === 0) throw new Problem('EXPOSE requires at least one argument');
        return { kind: 'EXPOSE', ...base, ports };
      }
      case 'volume': {
        const { list, json } = jsonOrWords(args, 'VOLUME');
        if (list.length === 0) throw new Problem('VOLUME requires at least one argument');
        const paths = list.map((v) => v.trim());
        if (paths.includes('')) throw new Problem('VOLUME specified can not be an empty string');
        return { kind: 'VOLUME', ...base, paths, json };
      }
      case 'shell': {
        const c = jsonOrShell(args, 'SHELL');
        if (c.form !== 'exec') throw new Problem('SHELL requires the arguments to be in JSON form');
        if (c.args.length === 0) throw new Problem('SHELL requires at least one argument');
        return { kind: 'SHELL', ...base, shell: c.args };
      }
      case 'healthcheck':
        return { kind: 'HEALTHCHECK', ...base, health: parseHealthcheck(args, flags) };
      case 'onbuild':
        return onbuild(file, args, l, escape, original);
    }
    throw new Problem(`unknown instruction: ${keyword}`);
  } catch (e) {
    if (e instanceof Problem) throw lineError(file, l.line, e.message);
    throw e;
  }
}
