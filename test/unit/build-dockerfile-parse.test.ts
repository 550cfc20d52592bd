// The Dockerfile parser: directives, continuations, comments, keyword case,
// exec vs shell form, heredocs, every instruction's typed form, and one-line
// errors naming file and line where docker refuses the input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile, parseTrigger } from '../../src/engine/build/dockerfile/parse.js';
import type { Instruction } from '../../src/engine/build/dockerfile/types.js';
import { InvalidArgument } from '../../src/engine/errors.js';

/** The instructions of the only stage of `FROM x\n` + body. */
function body(text: string): Instruction[] {
  return parseDockerfile(`FROM x\n${text}`).stages[0].instructions;
}

function one(text: string): Instruction {
  const all = body(text);
  assert.equal(all.length, 1, `one instruction in ${JSON.stringify(text)}`);
  return all[0];
}

test('parser directives: only at the very top, each once, escape is \\ or `', () => {
  const df = parseDockerfile('# syntax=docker/dockerfile:1.7\n# ESCAPE = `\nFROM x\nRUN echo a `\n  b\n');
  assert.equal(df.syntax, 'docker/dockerfile:1.7');
  assert.equal(df.escape, '`');
  assert.deepEqual(df.stages[0].instructions.map((i) => i.original), ['RUN echo a   b']);
  // After a comment, a blank line or an instruction, a directive is a comment.
  assert.equal(parseDockerfile('# hello\n# escape=`\nFROM x\n').escape, '\\');
  assert.equal(parseDockerfile('\n# escape=`\nFROM x\n').escape, '\\');
  assert.equal(parseDockerfile('FROM x\n# escape=`\n').escape, '\\');
  // An unknown key ends the directives too.
  assert.equal(parseDockerfile('# foo=bar\n# escape=`\nFROM x\n').escape, '\\');
  assert.equal(parseDockerfile('\uFEFF# escape=`\nFROM x\n').escape, '`', 'a BOM is skipped');
});

test('continuations: the escape character at the end of a line, comments and blank lines inside dropped', () => {
  const [run, env] = body('RUN apt-get update \\\n  # why: the index\n    && apt-get install -y x \\   \n\n  && true\nENV A=1\n');
  assert.equal(run.kind, 'RUN');
  assert.equal(run.original, 'RUN apt-get update     && apt-get install -y x   && true');
  assert.equal(run.line, 2);
  assert.equal(run.endLine, 6);
  assert.equal(env.line, 7);
  // An escaped escape at the end is not a continuation.
  const [a, b] = body('RUN echo \\\\\nRUN b\n');
  assert.equal(a.original, 'RUN echo \\\\');
  assert.equal(b.original, 'RUN b');
  assert.deepEqual(parseDockerfile('FROM x\nRUN a \\\n\n b\n').warnings, ['Dockerfile:4: empty continuation line found in: RUN a  b']);
  // With escape=` a backslash is an ordinary character (Windows paths).
  const w = parseDockerfile('# escape=`\nFROM x\nCOPY a\\b `\n  c\\\n').stages[0].instructions[0];
  assert.equal(w.kind === 'COPY' && w.sources[0].kind === 'path' && w.sources[0].path, 'a\\b');
  assert.equal(w.kind === 'COPY' && w.dest, 'c\\');
});

test('keywords are case-insensitive; comments are whole lines only', () => {
  const ins = body('run echo a # not a comment\n  # a comment\nWorkDir /x\n');
  assert.deepEqual(ins.map((i) => i.kind), ['RUN', 'WORKDIR']);
  assert.equal(ins[0].kind === 'RUN' && ins[0].command.form === 'shell' && ins[0].command.text, 'echo a # not a comment');
});

test('exec form is a JSON array of strings; anything else is shell form', () => {
  const cases: [string, unknown][] = [
    ['CMD ["a", "b c"]', { form: 'exec', args: ['a', 'b c'] }],
    ['CMD []', { form: 'exec', args: [] }],
    ['CMD [a, b]', { form: 'shell', text: '[a, b]' }],
    ["CMD ['a']", { form: 'shell', text: "['a']" }],
    ['CMD ["a" "b"]', { form: 'shell', text: '["a" "b"]' }],
    ['CMD echo "$HOME"', { form: 'shell', text: 'echo "$HOME"' }],
    ['ENTRYPOINT ["/bin/sh", "-c"]', { form: 'exec', args: ['/bin/sh', '-c'] }],
    ['RUN ["echo", "\\u00e9"]', { form: 'exec', args: ['echo', 'é'] }],
  ];
  for (const [line, want] of cases) {
    const i = one(line);
    assert.deepEqual((i as { command: unknown }).command, want, line);
  }
});

test('heredocs: RUN script, <<- strips tabs, quoted delimiters turn substitution off, several on one line', () => {
  const [run, copy, after] = body('RUN <<EOF\necho "$A"\n  indented\nEOF\nCOPY <<-"ONE" <<\'TWO\' /etc/\n\tfirst\n\tONE\nsecond $X\nTWO\nENV A=1\n');
  assert.equal(run.kind, 'RUN');
  if (run.kind !== 'RUN') return;
  assert.deepEqual(run.command, { form: 'shell', text: '<<EOF' });
  assert.deepEqual(run.heredocs, [{ name: 'EOF', content: 'echo "$A"\n  indented\n', expand: true, chomp: false, fd: 0 }]);
  assert.deepEqual([run.line, run.endLine], [2, 5]);
  assert.equal(copy.kind, 'COPY');
  if (copy.kind !== 'COPY') return;
  assert.deepEqual(copy.sources, [
    { kind: 'heredoc', heredoc: { name: 'ONE', content: 'first\n', expand: false, chomp: true, fd: 0 } },
    { kind: 'heredoc', heredoc: { name: 'TWO', content: 'second $X\n', expand: false, chomp: false, fd: 0 } },
  ]);
  assert.equal(copy.dest, '/etc/');
  assert.deepEqual([copy.line, copy.endLine, after.line], [6, 10, 11]);
});

test('heredocs: inside a longer command, with a descriptor; none in exec form or other instructions', () => {
  const run = one('RUN cat 3<<EOF > /x && echo done\nbody\nEOF\n');
  assert.ok(run.kind === 'RUN');
  assert.deepEqual(run.heredocs.map((h) => [h.name, h.fd, h.content]), [['EOF', 3, 'body\n']]);
  // In exec form <<EOF is text, so the next line is an instruction (here a bad one).
  assert.throws(() => body('RUN ["sh", "-c", "cat <<EOF"]\nEOF\n'), { message: 'Dockerfile:3: unknown instruction: EOF' });
  const quoted = one('RUN echo "<<EOF"');
  assert.ok(quoted.kind === 'RUN' && quoted.heredocs.length === 0, 'a quoted <<EOF is not a heredoc');
  const onb = one('ONBUILD RUN <<EOF\necho hi\nEOF\n');
  assert.ok(onb.kind === 'ONBUILD' && onb.trigger.kind === 'RUN');
  assert.equal(onb.expression, 'RUN <<EOF\necho hi\nEOF');
  assert.deepEqual(onb.trigger.kind === 'RUN' && onb.trigger.heredocs.map((h) => h.content), ['echo hi\n']);
});

test('FROM: image, AS name (lowercased), --platform', () => {
  const df = parseDockerfile('FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nFROM scratch\n');
  assert.deepEqual(
    df.stages.map((s) => [s.index, s.name, s.from.image, s.from.platform]),
    [
      [0, 'build', 'golang:1.22', '$BUILDPLATFORM'],
      [1, undefined, 'scratch', undefined],
    ],
  );
});

test('RUN: --network, shell and exec form', () => {
  assert.deepEqual(one('RUN --network=none make'), { kind: 'RUN', line: 2, endLine: 2, original: 'RUN --network=none make', command: { form: 'shell', text: 'make' }, heredocs: [], network: 'none' });
  const h = one('RUN --network=host ["make", "-j"]');
  assert.ok(h.kind === 'RUN' && h.network === 'host' && h.command.form === 'exec');
  const d = one('RUN --network=default true');
  assert.ok(d.kind === 'RUN' && d.network === 'default');
});

test('COPY and ADD: flags, several sources, JSON form for spaces', () => {
  const c = one('COPY --from=build --chown=app:app --chmod=0755 --link a b* /dst/');
  assert.ok(c.kind === 'COPY');
  assert.deepEqual([c.from, c.chown, c.chmod, c.link, c.json, c.dest], ['build', 'app:app', '0755', true, false, '/dst/']);
  assert.deepEqual(c.sources, [
    { kind: 'path', path: 'a' },
    { kind: 'path', path: 'b*' },
  ]);
  const j = one('COPY ["my file", "other file", "/my dir/"]');
  assert.ok(j.kind === 'COPY' && j.json);
  assert.deepEqual(j.kind === 'COPY' && j.sources.map((s) => s.kind === 'path' && s.path), ['my file', 'other file']);
  const a = one('ADD --chown=1:2 --link=false site.tar.gz /srv');
  assert.ok(a.kind === 'ADD' && a.chown === '1:2' && a.link === false && a.from === undefined);
  // A quoted flag value.
  const q = one('COPY --chown="a b" x y');
  assert.ok(q.kind === 'COPY' && q.chown === 'a b');
});

test('ENV and LABEL: k=v with quotes and escapes (kept for substitution), legacy k v', () => {
  const e = one('ENV A="a b" B=c\\ d C= D=\'$x\'');
  assert.ok(e.kind === 'ENV');
  assert.deepEqual(e.pairs, [
    { key: 'A', value: '"a b"' },
    { key: 'B', value: 'c\\ d' },
    { key: 'C', value: '' },
    { key: 'D', value: "'$x'" },
  ]);
  assert.deepEqual((one('ENV PATH /usr/bin:/bin  more words') as { pairs: unknown }).pairs, [{ key: 'PATH', value: '/usr/bin:/bin  more words' }]);
  assert.deepEqual((one('LABEL "org.opencontainers.image.title"="a b" version=1') as { pairs: unknown }).pairs, [
    { key: '"org.opencontainers.image.title"', value: '"a b"' },
    { key: 'version', value: '1' },
  ]);
});

test('ARG: several per line, with and without defaults', () => {
  const a = one('ARG A B=1 C="x y" D=');
  assert.ok(a.kind === 'ARG');
  assert.deepEqual(a.args, [{ name: 'A' }, { name: 'B', default: '1' }, { name: 'C', default: '"x y"' }, { name: 'D', default: '' }]);
  const df = parseDockerfile('ARG V=1\nARG BASE\nFROM x\n');
  assert.deepEqual(df.metaArgs.map((m) => m.args), [[{ name: 'V', default: '1' }], [{ name: 'BASE' }]]);
});

test('WORKDIR, USER, STOPSIGNAL, MAINTAINER take the rest of the line', () => {
  assert.ok(one('WORKDIR /my dir').kind === 'WORKDIR');
  assert.equal((one('WORKDIR /my dir') as { path: string }).path, '/my dir');
  assert.equal((one('USER app:app') as { user: string }).user, 'app:app');
  assert.equal((one('STOPSIGNAL SIGQUIT') as { signal: string }).signal, 'SIGQUIT');
  assert.equal((one('MAINTAINER Jane <jane@example.com>') as { maintainer: string }).maintainer, 'Jane <jane@example.com>');
});

test('EXPOSE and VOLUME', () => {
  assert.deepEqual((one('EXPOSE 80 443/tcp 53/udp 8000-8010') as { ports: string[] }).ports, ['80', '443/tcp', '53/udp', '8000-8010']);
  assert.deepEqual(one('VOLUME /a /b'), { kind: 'VOLUME', line: 2, endLine: 2, original: 'VOLUME /a /b', paths: ['/a', '/b'], json: false });
  assert.deepEqual((one('VOLUME ["/my data"]') as { paths: string[] }).paths, ['/my data']);
});

test('HEALTHCHECK: NONE, CMD exec and shell form, flags as nanoseconds', () => {
  assert.deepEqual((one('HEALTHCHECK NONE') as { health: unknown }).health, { test: ['NONE'], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 });
  assert.deepEqual((one('HEALTHCHECK --interval=30s --timeout=1m30s --start-period=1.5s --start-interval=250ms --retries=3 CMD curl -f http://localhost/ || exit 1') as { health: unknown }).health, {
    test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
    interval: 30e9,
    timeout: 90e9,
    startPeriod: 1.5e9,
    startInterval: 250e6,
    retries: 3,
  });
  assert.deepEqual(((one('healthcheck cmd ["/bin/check", "-q"]') as { health: { test: string[] } }).health).test, ['CMD', '/bin/check', '-q']);
});

test('SHELL, ONBUILD, CMD/ENTRYPOINT', () => {
  assert.deepEqual((one('SHELL ["/bin/bash", "-eo", "pipefail", "-c"]') as { shell: string[] }).shell, ['/bin/bash', '-eo', 'pipefail', '-c']);
  const o = one('ONBUILD COPY --chown=1 . /app');
  assert.ok(o.kind === 'ONBUILD' && o.expression === 'COPY --chown=1 . /app' && o.trigger.kind === 'COPY' && o.trigger.chown === '1');
  assert.deepEqual((one('ENTRYPOINT exec top -b') as { command: unknown }).command, { form: 'shell', text: 'exec top -b' });
});

test('ONBUILD triggers from a base image parse back into the instruction they were', () => {
  const onb = one('ONBUILD COPY <<EOF /hello\nhi $NAME\nEOF\n');
  assert.ok(onb.kind === 'ONBUILD');
  const again = parseTrigger(onb.expression, 'Dockerfile', 9);
  assert.ok(again.kind === 'COPY' && again.line === 9);
  assert.deepEqual(again.sources, onb.trigger.kind === 'COPY' ? onb.trigger.sources : undefined);
  assert.throws(() => parseTrigger('RUN a\nRUN b', 'Dockerfile', 3), { message: 'Dockerfile:3: onbuild trigger should be a single expression' });
  assert.throws(() => parseTrigger('FROM x', 'Dockerfile', 3), { message: "Dockerfile:3: FROM isn't allowed as an ONBUILD trigger" });
  assert.throws(() => parseTrigger('NOPE x', 'Dockerfile', 3), { message: 'Dockerfile:3: unknown instruction: NOPE' });
});

test('stages: meta ARGs before the first FROM, instructions grouped per stage', () => {
  const df = parseDockerfile('ARG A\n# c\nFROM a AS one\nRUN x\nFROM one\nRUN y\nRUN z\n');
  assert.equal(df.metaArgs.length, 1);
  assert.deepEqual(df.stages.map((s) => [s.name, s.from.line, s.instructions.map((i) => i.line)]), [
    ['one', 3, [4]],
    [undefined, 5, [6, 7]],
  ]);
});

test('bad input: one line naming the file and the line, docker\'s words', () => {
  const cases: [string, string][] = [
    ['FROM x\nFOOO bar', 'Dockerfile:2: unknown instruction: FOOO'],
    ['FROM x\n\nCMD ["a", 1]', 'Dockerfile:3: CMD: when using JSON array syntax, arrays must be comprised of strings only'],
    ['FROM x\nENV A', 'Dockerfile:2: ENV must have two arguments'],
    ['FROM x\nENV', 'Dockerfile:2: ENV requires at least one argument'],
    ['FROM x\nENV A=1 B', 'Dockerfile:2: Syntax error - can\'t find = in "B". Must be of the form: name=value'],
    ['FROM x\nENV =1', 'Dockerfile:2: ENV names can not be blank'],
    ['FROM x\nLABEL a', 'Dockerfile:2: LABEL must have two arguments'],
    ['FROM x\nCOPY onlyone', 'Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be determined'],
    ['FROM x\nADD', 'Dockerfile:2: ADD requires at least two arguments, but only one was provided. Destination could not be determined'],
    ['FROM', 'Dockerfile:1: FROM requires either one or three arguments'],
    ['FROM a b', 'Dockerfile:1: FROM requires either one or three arguments'],
    ['FROM a AS 1x', 'Dockerfile:1: invalid name for build stage: "1x", name can\'t start with a number or contain symbols'],
    ['FROM a AS b\nFROM c AS B', 'Dockerfile:2: duplicate stage name "b"'],
    ['FROM x\nENV --foo=bar A=b', 'Dockerfile:2: Unknown flag: foo'],
    ['FROM x\nCOPY --from a b', 'Dockerfile:2: Missing a value on flag: from'],
    ['FROM x\nCOPY --link=maybe a b', 'Dockerfile:2: Expecting boolean value for flag link, not: maybe'],
    ['FROM x\nCOPY --chown=1 --chown=2 a b', 'Dockerfile:2: Duplicate flag specified: chown'],
    ['FROM x\nCOPY --parents a b', 'Dockerfile:2: Unknown flag: parents'],
    ['FROM x\nADD --from=y a b', 'Dockerfile:2: Unknown flag: from'],
    ['FROM x\nADD --checksum=sha256:00 https://x/y /z', 'Dockerfile:2: ADD --checksum is not supported (hutch does not fetch URLs or git sources)'],
    ['FROM --platform linux x', 'Dockerfile:1: Missing a value on flag: platform'],
    ['FROM x\nRUN --mount=type=cache,target=/c make', 'Dockerfile:2: RUN --mount is not supported by hutch build'],
    ['FROM x\nRUN --network=bridge make', 'Dockerfile:2: unsupported network mode "bridge"'],
    ['FROM x\nCMD --foo', 'Dockerfile:2: Unknown flag: foo'],
    ['FROM x\nSHELL /bin/bash -c', 'Dockerfile:2: SHELL requires the arguments to be in JSON form'],
    ['FROM x\nSHELL []', 'Dockerfile:2: SHELL requires at least one argument'],
    ['FROM x\nONBUILD ONBUILD RUN x', 'Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed'],
    ['FROM x\nONBUILD FROM y', 'Dockerfile:2: FROM isn\'t allowed as an ONBUILD trigger'],
    ['FROM x\nonbuild maintainer me', 'Dockerfile:2: MAINTAINER isn\'t allowed as an ONBUILD trigger'],
    ['FROM x\nONBUILD FOOO', 'Dockerfile:2: unknown instruction: FOOO'],
    ['RUN x\nFROM y', 'Dockerfile:1: no build stage in current context'],
    ['FROM x\nWORKDIR', 'Dockerfile:2: WORKDIR requires exactly one argument'],
    ['FROM x\nUSER', 'Dockerfile:2: USER requires exactly one argument'],
    ['FROM x\nEXPOSE', 'Dockerfile:2: EXPOSE requires at least one argument'],
    ['FROM x\nVOLUME [""]', 'Dockerfile:2: VOLUME specified can not be an empty string'],
    ['FROM x\nARG', 'Dockerfile:2: ARG requires at least one argument'],
    ['FROM x\nARG =1', 'Dockerfile:2: ARG names can not be blank'],
    ['FROM x\nHEALTHCHECK', 'Dockerfile:2: HEALTHCHECK requires at least one argument'],
    ['FROM x\nHEALTHCHECK NONE x', 'Dockerfile:2: HEALTHCHECK NONE takes no arguments'],
    ['FROM x\nHEALTHCHECK PING x', 'Dockerfile:2: Unknown type "PING" in HEALTHCHECK (try CMD)'],
    ['FROM x\nHEALTHCHECK CMD', 'Dockerfile:2: Missing command after HEALTHCHECK CMD'],
    ['FROM x\nHEALTHCHECK --interval=10us CMD x', 'Dockerfile:2: Interval "interval" cannot be less than 1ms'],
    ['FROM x\nHEALTHCHECK --timeout=5 CMD x', 'Dockerfile:2: time: missing unit in duration "5"'],
    ['FROM x\nHEALTHCHECK --retries=-1 CMD x', 'Dockerfile:2: --retries cannot be negative (-1)'],
    ['FROM x\nHEALTHCHECK --retries=x CMD x', 'Dockerfile:2: strconv.ParseInt: parsing "x": invalid syntax'],
    ['FROM x\nCOPY a <<EOF\nhi\nEOF', 'Dockerfile:2: COPY cannot accept a heredoc as a destination'],
    ['FROM x\nRUN <<EOF\necho never ends\n', 'Dockerfile:2: unterminated heredoc EOF'],
    ['# escape=x\nFROM a', "Dockerfile:1: invalid escape token 'x' does not match ` or \\"],
    ['# escape=`\n# escape=\\\nFROM a', 'Dockerfile:2: only one escape parser directive can be used'],
    ['# only a comment\n\n', 'Dockerfile:2: file with no instructions'],
    ['ARG A=1\n', 'Dockerfile:1: dockerfile contains no stages to build'],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseDockerfile(text),
      (e: unknown) => e instanceof InvalidArgument && e.message === message && !e.message.includes('\n'),
      `${JSON.stringify(text)} → ${message}`,
    );
  }
  assert.throws(() => parseDockerfile('', 'app/Dockerfile.dev'), /^InvalidArgument: app\/Dockerfile.dev: the Dockerfile cannot be empty$/);
  assert.throws(() => parseDockerfile('FROM x\nBAD', 'build.Dockerfile'), { message: 'build.Dockerfile:2: unknown instruction: BAD' });
});
