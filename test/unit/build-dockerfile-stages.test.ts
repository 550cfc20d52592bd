// Stage planning: meta ARGs and the automatic platform args in FROM, stage bases
// (scratch, an earlier stage, an image), --target, only the stages the target
// reaches through FROM and COPY --from (by name or index), and the --build-args
// nothing declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../src/engine/build/dockerfile/parse.js';
import { planBuild } from '../../src/engine/build/dockerfile/plan.js';
import { StageVariables } from '../../src/engine/build/dockerfile/vars.js';
import type { ArgInstruction } from '../../src/engine/build/dockerfile/types.js';
import { InvalidArgument } from '../../src/engine/errors.js';

const amd64 = { os: 'linux', arch: 'amd64' };
const plan = (text: string, opts: Parameters<typeof planBuild>[1] = {}) => planBuild(parseDockerfile(text), { platform: amd64, buildPlatform: amd64, ...opts });

test('meta ARGs: defaults, --build-arg overrides, earlier ones and automatic args usable in FROM', () => {
  const text = 'ARG REPO=docker.io/library\nARG BASE=${REPO}/busybox\nARG TAG=1.36\nFROM ${BASE}:${TAG}-${TARGETARCH} AS b\nFROM scratch\n';
  const p = plan(text);
  assert.deepEqual(p.stages[0].base, { kind: 'image', ref: 'docker.io/library/busybox:1.36-amd64' });
  assert.deepEqual(p.stages[0].fromRead, ['BASE', 'TAG', 'TARGETARCH']);
  assert.deepEqual(p.stages[1].base, { kind: 'scratch' });
  const q = plan(text, { buildArgs: new Map([['TAG', '1.37'], ['REPO', 'quay.io/x']]), platform: { os: 'linux', arch: 'arm64' } });
  assert.deepEqual(q.stages[0].base, { kind: 'image', ref: 'quay.io/x/busybox:1.37-arm64' });
  assert.equal(q.globalArgs.get('TARGETPLATFORM'), 'linux/arm64');
  assert.equal(q.globalArgs.get('BUILDPLATFORM'), 'linux/amd64');
  assert.equal(q.globalArgs.get('TARGETSTAGE'), '', 'the last stage has no name');
  assert.equal(plan(text, { target: 'b' }).globalArgs.get('TARGETSTAGE'), 'b');
  // An automatic arg can be overridden like any build arg.
  assert.deepEqual(plan('FROM img-$TARGETOS\n', { buildArgs: new Map([['TARGETOS', 'windows']]) }).stages[0].base, { kind: 'image', ref: 'img-windows' });
});

test('a meta ARG is visible in a stage only after a bare `ARG NAME` there', () => {
  const p = plan('ARG V=meta\nARG W=w\nFROM x\nARG V\nARG TARGETARCH\n');
  const vars = StageVariables.fromImage([]);
  const scope = { buildArgs: p.buildArgs, globalArgs: p.globalArgs, escape: '\\' as const, file: 'Dockerfile' };
  for (const ins of p.stages[0].stage.instructions) vars.declareArgs(ins as ArgInstruction, scope);
  assert.equal(vars.get('V'), 'meta');
  assert.equal(vars.get('TARGETARCH'), 'amd64');
  assert.equal(vars.get('W'), undefined, 'not re-declared: not in scope');
});

test('stage bases: an earlier stage by name, scratch, and a later name is an image', () => {
  const p = plan('FROM busybox AS base\nFROM base AS app\nFROM later\nFROM scratch AS later\nFROM app\n');
  assert.deepEqual(
    p.stages.map((s) => [s.label, s.base]),
    [
      ['base', { kind: 'image', ref: 'busybox' }],
      ['app', { kind: 'stage', index: 0 }],
      ['stage-2', { kind: 'image', ref: 'later' }],
      ['later', { kind: 'scratch' }],
      ['stage-4', { kind: 'stage', index: 1 }],
    ],
  );
  assert.deepEqual(p.order, [0, 1, 4], 'unused stages are skipped');
  assert.equal(p.target, 4);
});

test('--target picks a stage (any case); only what it reaches is built; an unknown one is refused', () => {
  const text = 'FROM a AS deps\nFROM b AS tools\nFROM c AS build\nCOPY --from=deps /x /x\nCOPY --from=1 /t /t\nFROM build AS test\nFROM scratch AS final\nCOPY --from=Build /out /\n';
  const p = plan(text, { target: 'BUILD' });
  assert.equal(p.target, 2);
  assert.deepEqual(p.order, [0, 1, 2]);
  const build = p.stages[2];
  assert.deepEqual([...build.copyFrom.values()], [
    { kind: 'stage', index: 0 },
    { kind: 'stage', index: 1 },
  ]);
  assert.deepEqual(build.dependsOn, [0, 1]);
  assert.deepEqual(plan(text).order, [0, 1, 2, 4], 'the default target is the last stage; `test` is skipped');
  assert.deepEqual(plan(text, { target: 'tools' }).order, [1]);
  assert.throws(() => plan(text, { target: 'nope' }), (e: unknown) => e instanceof InvalidArgument && e.message === 'target stage "nope" could not be found');
});

test('COPY --from: an image when no stage has the name; errors name the line', () => {
  const p = plan('FROM a\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\n');
  assert.deepEqual([...p.stages[0].copyFrom.values()], [{ kind: 'image', ref: 'nginx:1.27' }]);
  assert.deepEqual(p.stages[0].dependsOn, []);
  const cases: [string, string][] = [
    ['FROM a\nCOPY --from=0 /x /y', 'Dockerfile:2: cannot copy from stage "0", it needs to be defined before current stage "stage-0"'],
    ['FROM a AS one\nCOPY --from=two /x /y\nFROM b AS two', 'Dockerfile:2: cannot copy from stage "two", it needs to be defined before current stage "one"'],
    ['FROM a\nFROM b\n\nCOPY --from=7 /x /y', 'Dockerfile:4: invalid stage index 7'],
    ['ARG S=a\nFROM a\nCOPY --from=$S /x /y', 'Dockerfile:3: variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround'],
    ['FROM $NOPE', 'Dockerfile:1: base name ($NOPE) should not be blank'],
    ['FROM ${NOPE:?unset}', 'Dockerfile:1: failed to process "${NOPE:?unset}": NOPE: unset'],
    ['ARG B=${x\nFROM a', 'Dockerfile:1: failed to process "${x": syntax error: missing \'}\''],
    ['FROM --platform=$NOPE a', 'Dockerfile:1: empty platform value from expression $NOPE'],
    ['FROM --platform=linux/z80 a', 'Dockerfile:1: failed to parse platform linux/z80: "linux/z80": unknown operating system or architecture: invalid argument'],
  ];
  for (const [text, message] of cases) assert.throws(() => plan(text), (e: unknown) => e instanceof InvalidArgument && e.message === message, message);
});

test('FROM --platform is substituted and normalised', () => {
  const p = plan('FROM --platform=$BUILDPLATFORM golang AS b\nFROM --platform=linux/aarch64/v8 x\nFROM --platform=armhf y\n', { target: undefined });
  assert.deepEqual(
    p.stages.map((s) => s.platform),
    [{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64' }, { os: 'linux', arch: 'arm', variant: 'v7' }],
  );
  assert.deepEqual(p.stages[0].fromRead, ['BUILDPLATFORM']);
});

test('--build-args nothing declares are returned; proxy args are predefined and kept apart', () => {
  const p = plan('ARG META\nFROM a AS unused\nARG ONLY_UNUSED\nFROM b\nARG USED\n', {
    buildArgs: new Map([
      ['META', '1'],
      ['USED', '2'],
      ['ONLY_UNUSED', '3'],
      ['TYPO', '4'],
      ['HTTP_PROXY', 'http://proxy:3128'],
      ['no_proxy', 'localhost'],
      ['TARGETARCH', 'amd64'],
      ['SOURCE_DATE_EPOCH', '0'],
    ]),
  });
  assert.deepEqual(p.order, [1]);
  assert.deepEqual(p.unusedBuildArgs, ['ONLY_UNUSED', 'TYPO']);
  assert.deepEqual([...p.proxyEnv], [
    ['HTTP_PROXY', 'http://proxy:3128'],
    ['no_proxy', 'localhost'],
  ]);
});
