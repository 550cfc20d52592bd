// Variable substitution as docker's shell lexer does it (each operator, quotes,
// escapes, the names it reports), per instruction; a stage's ARG/ENV scope; and
// what RUN becomes as a process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex, fromMap, LexError } from '../../src/engine/build/dockerfile/lex.js';
import { parseDockerfile } from '../../src/engine/build/dockerfile/parse.js';
import { expandInstruction, exposePorts } from '../../src/engine/build/dockerfile/expand.js';
import { StageVariables, DEFAULT_PATH } from '../../src/engine/build/dockerfile/vars.js';
import { normalizeWorkdir, runProcess } from '../../src/engine/build/dockerfile/run.js';
import type { ArgInstruction, Instruction, RunInstruction } from '../../src/engine/build/dockerfile/types.js';
import { InvalidArgument } from '../../src/engine/errors.js';

const env = fromMap(
  new Map([
    ['v', 'hello.tar.gz'],
    ['e', ''],
    ['sp', 'a  b'],
    ['path', '/usr/local/bin:/usr/bin'],
  ]),
);

test('substitution: each operator docker supports, set, empty and unset', () => {
  const cases: [string, string][] = [
    ['$v', 'hello.tar.gz'],
    ['${v}', 'hello.tar.gz'],
    ['x${v}y', 'xhello.tar.gzy'],
    ['$u', ''],
    ['${v:-d}', 'hello.tar.gz'],
    ['${e:-d}', 'd'],
    ['${u:-d}', 'd'],
    ['${e-d}', ''],
    ['${u-d}', 'd'],
    ['${v:+a}', 'a'],
    ['${e:+a}', ''],
    ['${e+a}', 'a'],
    ['${u+a}', ''],
    ['${v:?x}', 'hello.tar.gz'],
    ['${e?x}', ''],
    ['${v#*.}', 'tar.gz'],
    ['${v##*.}', 'gz'],
    ['${v%.*}', 'hello.tar'],
    ['${v%%.*}', 'hello'],
    ['${v#nomatch}', 'hello.tar.gz'],
    ['${path%%:*}', '/usr/local/bin'],
    ['${v/l/L}', 'heLlo.tar.gz'],
    ['${v//l/L}', 'heLLo.tar.gz'],
    ['${v//?/x}', 'xxxxxxxxxxxx'],
    ['${u:-${v%%.*}}', 'hello'],
    ['$', '$'],
    ['a$', 'a$'],
    ['$1', ''],
    ['${v:-a b}', 'hello.tar.gz'],
  ];
  for (const [word, want] of cases) assert.equal(lex(word, env).value, want, word);
});

test('substitution: quotes and escapes', () => {
  const cases: [string, string][] = [
    ["'$v'", '$v'],
    ['"$v"', 'hello.tar.gz'],
    ['"a  b"', 'a  b'],
    ["'a \"b\"'", 'a "b"'],
    ['"it\'s"', "it's"],
    ['\\$v', '$v'],
    ['\\\\', '\\'],
    ['a\\ b', 'a b'],
    ['"\\$v \\"q\\" \\a"', '$v "q" \\a'],
    ['${u:-"x y"}', 'x y'],
  ];
  for (const [word, want] of cases) assert.equal(lex(word, env).value, want, word);
  // With escape=` the backslash is ordinary.
  assert.equal(lex('C:\\dir`$v', env, { escape: '`' }).value, 'C:\\dir$v');
});

test('substitution: words split on unquoted spaces, also those a variable brings', () => {
  assert.deepEqual(lex('$sp c', env).words, ['a', 'b', 'c']);
  assert.deepEqual(lex('"$sp" c', env).words, ['a  b', 'c']);
  assert.deepEqual(lex("'x y' z", env).words, ['x y', 'z']);
  assert.deepEqual(lex('8080 $e', env).words, ['8080']);
});

test('substitution reports every name it read, and which were unset', () => {
  const r = lex('${v}-$u-${e:-$w}-${v:+$x}', env);
  assert.deepEqual(r.read, ['v', 'u', 'w', 'e', 'x']);
  assert.deepEqual(r.unset, ['u', 'w', 'x']);
  assert.deepEqual(lex("'$quoted' \\$escaped", env).read, []);
});

test('substitution errors are docker\'s', () => {
  const cases: [string, string][] = [
    ['${u:?}', 'u: is not allowed to be unset'],
    ['${e:?}', 'e: is not allowed to be empty'],
    ['${u?must be set}', 'u: must be set'],
    ['${}', 'syntax error: bad substitution'],
    ['${:a}', 'syntax error: bad substitution'],
    ['${v', "syntax error: missing '}'"],
    ['${v:-x', "syntax error: missing '}'"],
    ['${v*}', 'unsupported modifier (*) in substitution'],
    ['${v:=x}', 'unsupported modifier (:=) in substitution'],
    ['"abc', 'unexpected end of statement while looking for matching double-quote'],
    ["'abc", 'unexpected end of statement while looking for matching single-quote'],
  ];
  for (const [word, msg] of cases) {
    assert.throws(() => lex(word, env), (e: unknown) => e instanceof LexError && e.message === `failed to process ${JSON.stringify(word)}: ${msg}`, word);
  }
});

/** The instructions of `FROM x` + text. */
const ins = (text: string): Instruction[] => parseDockerfile(`FROM x\n${text}`).stages[0].instructions;
const ctx = { file: 'Dockerfile', escape: '\\' as const };

test('per instruction: ENV, LABEL, COPY/ADD, WORKDIR, USER, VOLUME, STOPSIGNAL, EXPOSE substitute; RUN, CMD do not', () => {
  const vars = new Map([
    ['a', 'x'],
    ['dir', '/srv'],
    ['port', '8080'],
    ['ports', '80 443/udp'],
    ['u', 'app'],
    ['sig', 'TERM'],
  ]);
  const look = fromMap(vars);
  const [envI, label, copy, add, wd, user, vol, stop, expose, run, cmd] = ins(
    'ENV a=y b=$a c="$a b" d=\'$a\'\nLABEL "k $a"="v ${a}"\nCOPY --chown=$u:$u --chmod=${mode:-0644} src/$a ${dir}/\nADD ${a}.tar $dir\nWORKDIR $dir/app\nUSER ${u}\nVOLUME ["$dir/data"] \nSTOPSIGNAL SIG$sig\nEXPOSE $port ${ports} 9000-9002/tcp\nRUN echo $a\nCMD ["$a"]\n',
  );
  const e = expandInstruction(envI, look, ctx);
  // All pairs of one ENV see the values from before it (docker's documented rule).
  assert.deepEqual(e.instruction.kind === 'ENV' && e.instruction.pairs, [
    { key: 'a', value: 'y' },
    { key: 'b', value: 'x' },
    { key: 'c', value: 'x b' },
    { key: 'd', value: '$a' },
  ]);
  assert.deepEqual(e.read, ['a']);
  assert.deepEqual(expandInstruction(label, look, ctx).instruction.kind === 'LABEL' && (expandInstruction(label, look, ctx).instruction as { pairs: unknown }).pairs, [{ key: 'k x', value: 'v x' }]);
  const c = expandInstruction(copy, look, ctx);
  assert.ok(c.instruction.kind === 'COPY');
  assert.deepEqual([c.instruction.chown, c.instruction.chmod, c.instruction.sources, c.instruction.dest], ['app:app', '0644', [{ kind: 'path', path: 'src/x' }], '/srv/']);
  assert.deepEqual([...c.read].sort(), ['a', 'dir', 'mode', 'u']);
  const a = expandInstruction(add, look, ctx).instruction;
  assert.ok(a.kind === 'ADD' && a.dest === '/srv' && a.sources[0].kind === 'path' && a.sources[0].path === 'x.tar');
  assert.equal((expandInstruction(wd, look, ctx).instruction as { path: string }).path, '/srv/app');
  assert.equal((expandInstruction(user, look, ctx).instruction as { user: string }).user, 'app');
  assert.deepEqual((expandInstruction(vol, look, ctx).instruction as { paths: string[] }).paths, ['/srv/data']);
  assert.equal((expandInstruction(stop, look, ctx).instruction as { signal: string }).signal, 'SIGTERM');
  const x = expandInstruction(expose, look, ctx);
  assert.deepEqual((x.instruction as { ports: string[] }).ports, ['8080/tcp', '80/tcp', '443/udp', '9000/tcp', '9001/tcp', '9002/tcp']);
  assert.deepEqual(x.read, ['port', 'ports']);
  for (const i of [run, cmd]) {
    const r = expandInstruction(i, look, ctx);
    assert.equal(r.instruction, i, `${i.kind} is left to the shell`);
    assert.deepEqual(r.read, []);
  }
});

test('COPY heredocs: the body is substituted (quotes kept) unless the delimiter was quoted', () => {
  const [open, quoted] = ins('COPY <<EOF /a\n"$a" \'$a\' \\$a\nEOF\nCOPY <<"EOF" /b\n$a\nEOF\n');
  const look = fromMap(new Map([['a', 'x']]));
  const o = expandInstruction(open, look, ctx).instruction;
  assert.ok(o.kind === 'COPY' && o.sources[0].kind === 'heredoc');
  assert.equal(o.sources[0].heredoc.content, '"x" \'x\' $a\n');
  const q = expandInstruction(quoted, look, ctx);
  assert.ok(q.instruction.kind === 'COPY' && q.instruction.sources[0].kind === 'heredoc');
  assert.equal(q.instruction.sources[0].heredoc.content, '$a\n');
  assert.deepEqual(q.read, []);
});

test('substitution errors name the file and the instruction\'s line', () => {
  const [, bad] = ins('RUN true\nWORKDIR ${dir:?set dir}\n');
  assert.throws(() => expandInstruction(bad, fromMap(new Map()), ctx), (e: unknown) => e instanceof InvalidArgument && e.message === 'Dockerfile:3: failed to process "${dir:?set dir}": dir: set dir');
  const [exp] = ins('EXPOSE $p\n');
  assert.throws(() => expandInstruction(exp, fromMap(new Map([['p', '80/icmp']])), ctx), { message: 'Dockerfile:2: invalid proto: icmp' });
  assert.throws(() => expandInstruction(exp, fromMap(new Map([['p', 'http']])), ctx), { message: 'Dockerfile:2: invalid containerPort: http' });
  const [vol] = ins('VOLUME $none\n');
  assert.throws(() => expandInstruction(vol, fromMap(new Map()), ctx), { message: 'Dockerfile:2: VOLUME specified can not be an empty string' });
});

test('EXPOSE ports: protocols, ranges, a publish-style spec keeps its container port', () => {
  assert.deepEqual(exposePorts('80'), ['80/tcp']);
  assert.deepEqual(exposePorts('53/UDP'), ['53/udp']);
  assert.deepEqual(exposePorts('7-8/sctp'), ['7/sctp', '8/sctp']);
  assert.deepEqual(exposePorts('127.0.0.1:8080:80'), ['80/tcp']);
  assert.throws(() => exposePorts('9-8'), /invalid range/);
  assert.throws(() => exposePorts('70000'), /invalid containerPort/);
});

const argIns = (text: string) => ins(text).filter((i): i is ArgInstruction => i.kind === 'ARG');

test('stage variables: ARG takes a --build-arg, else its default (substituted), else the global value', () => {
  const v = StageVariables.fromImage(['HOME=/root', 'LANG=C']);
  assert.equal(v.get('PATH'), DEFAULT_PATH, 'PATH is set when the image has none');
  const [a1, a2] = argIns('ARG A B=${HOME}/b C D\nARG E=$A-$B\n');
  const scope = { buildArgs: new Map([['A', 'from-cli']]), globalArgs: new Map([['C', 'meta'], ['TARGETARCH', 'amd64']]), escape: '\\' as const, file: 'Dockerfile' };
  const r1 = v.declareArgs(a1, scope);
  assert.equal(r1.history, 'ARG A=from-cli B=/root/b C=meta D');
  assert.deepEqual(r1.read, ['HOME']);
  const r2 = v.declareArgs(a2, scope);
  assert.equal(r2.history, 'ARG E=from-cli-/root/b');
  assert.deepEqual(r2.read, ['A', 'B']);
  assert.equal(v.get('D'), undefined, 'a bare ARG with no value anywhere stays unset');
  // ARG values are in RUN's environment but never in the image's config.
  assert.ok(v.runEnv().includes('A=from-cli'));
  assert.deepEqual(v.configEnv(), ['HOME=/root', 'LANG=C', `PATH=${DEFAULT_PATH}`]);
  assert.equal(v.runHistoryPrefix(), '|5 A=from-cli B=/root/b C=meta D= E=from-cli-/root/b');
});

test('stage variables: ENV goes to both; a later ENV of an ARG\'s name wins; FROM a stage inherits', () => {
  const v = StageVariables.fromImage(['PATH=/bin']);
  v.declareArgs(argIns('ARG V=1\n')[0], { buildArgs: new Map(), globalArgs: new Map(), escape: '\\', file: 'Dockerfile' });
  assert.equal(v.setEnv([{ key: 'V', value: '2' }, { key: 'X', value: 'y z' }]), 'ENV V=2 X=y z');
  assert.equal(v.get('V'), '2');
  assert.deepEqual(v.argsInScope(), [{ name: 'V', value: '2' }]);
  assert.deepEqual(v.configEnv(), ['PATH=/bin', 'V=2', 'X=y z']);
  const child = v.clone();
  child.setEnv([{ key: 'X', value: 'child' }]);
  assert.equal(v.get('X'), 'y z', 'the clone is independent');
  assert.deepEqual(child.argsInScope(), [{ name: 'V', value: '2' }]);
  assert.throws(
    () => v.declareArgs(argIns('RUN true\nARG BAD=${x:?no}\n')[0], { buildArgs: new Map(), globalArgs: new Map(), escape: '\\', file: 'Dockerfile' }),
    { message: 'Dockerfile:3: failed to process "${x:?no}": x: no' },
  );
});

test('RUN as a process: shell form through SHELL, heredoc script, #! heredoc as a file, heredoc in a command', () => {
  const runs = ins('RUN echo a\nRUN ["echo", "b"]\nRUN <<EOF\necho c\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\nRUN cat <<A >/x && cat <<-B\nline\nA\n\tmore\n\tB\n').filter((i): i is RunInstruction => i.kind === 'RUN');
  assert.deepEqual(runs.map((r) => runProcess(r)), [
    { args: ['/bin/sh', '-c', 'echo a'] },
    { args: ['echo', 'b'] },
    { args: ['/bin/sh', '-c', 'echo c\n'] },
    { args: ['/dev/pipes/EOF'], script: { name: 'EOF', content: '#!/usr/bin/env python3\nprint(1)\n' } },
    { args: ['/bin/sh', '-c', 'cat <<A >/x && cat <<-B\nline\nA\nmore\nB'] },
  ]);
  assert.deepEqual(runProcess(runs[0], ['/bin/bash', '-eo', 'pipefail', '-c']).args, ['/bin/bash', '-eo', 'pipefail', '-c', 'echo a']);
});

test('WORKDIR: relative to the current one, cleaned', () => {
  assert.equal(normalizeWorkdir('', 'app'), '/app');
  assert.equal(normalizeWorkdir('/srv', 'app/../www/'), '/srv/www');
  assert.equal(normalizeWorkdir('/srv', '/abs'), '/abs');
});
