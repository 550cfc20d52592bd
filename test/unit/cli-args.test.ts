import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, type OptionSpec } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/errors.js';
import { run } from '../../src/cli/verbs/run.js';
import { rm } from '../../src/cli/verbs/rm.js';
import { stop } from '../../src/cli/verbs/stop.js';

const runOpts = run.options;
const parseRun = (argv: string[]) => parseArgs(argv, runOpts, { stopAtPositional: true, verb: 'run' });

test('combined short flags', () => {
  const p = parseRun(['-dit', 'host']);
  assert.equal(p.bool('detach'), true);
  assert.equal(p.bool('interactive'), true);
  assert.equal(p.bool('tty'), true);
  assert.deepEqual(p.args, ['host']);
});

test('combined flags ending with a value flag take the next argument', () => {
  const p = parseRun(['-de', 'A=1', 'host']);
  assert.equal(p.bool('detach'), true);
  assert.deepEqual(p.list('env'), ['A=1']);
  assert.deepEqual(p.args, ['host']);
});

test('-e is repeatable in all its spellings', () => {
  const p = parseRun(['-e', 'A=1', '--env', 'B=2', '--env=C=3', '-eD=4', '-e=E=5', 'host']);
  assert.deepEqual(p.list('env'), ['A=1', 'B=2', 'C=3', 'D=4', 'E=5']);
});

test('--name=x and --name x', () => {
  assert.equal(parseRun(['--name=x', 'host']).string('name'), 'x');
  assert.equal(parseRun(['--name', 'y', 'host']).string('name'), 'y');
  assert.equal(parseRun(['--name', '--rm', 'host']).string('name'), '--rm');
});

test('the command after IMAGE keeps its own flags', () => {
  const p = parseRun(['--rm', 'host', 'ls', '-la', '--rm', '--', '-x']);
  assert.equal(p.bool('rm'), true);
  assert.deepEqual(p.args, ['host', 'ls', '-la', '--rm', '--', '-x']);
});

test('-- ends the options', () => {
  const p = parseRun(['-d', '--', '-weird-image', 'cmd']);
  assert.equal(p.bool('detach'), true);
  assert.deepEqual(p.args, ['-weird-image', 'cmd']);
});

test('boolean long flags accept =true/=false', () => {
  assert.equal(parseRun(['--rm=false', 'host']).bool('rm'), false);
  assert.equal(parseRun(['--rm=true', 'host']).bool('rm'), true);
  assert.throws(() => parseRun(['--rm=maybe', 'host']), /invalid argument "maybe" for "--rm" flag/);
});

test('unknown flags are errors', () => {
  assert.throws(() => parseRun(['--foo', 'host']), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.message, 'unknown flag: --foo');
    assert.equal(e.verb, 'run');
    return true;
  });
  assert.throws(() => parseRun(['-dx', 'host']), { message: "unknown shorthand flag: 'x' in -dx" });
});

test('a value flag without its value is an error', () => {
  assert.throws(() => parseRun(['--name']), { message: 'flag needs an argument: --name' });
  assert.throws(() => parseRun(['-e']), { message: "flag needs an argument: 'e' in -e" });
});

test('other verbs take flags anywhere', () => {
  const p = parseArgs(['a', '-f', 'b'], rm.options, { verb: 'rm' });
  assert.equal(p.bool('force'), true);
  assert.deepEqual(p.args, ['a', 'b']);
});

test('aliases store under the first long name', () => {
  const specs: OptionSpec[] = stop.options;
  assert.equal(parseArgs(['--timeout', '3', 'x'], specs).string('time'), '3');
  assert.equal(parseArgs(['-t3', 'x'], specs).string('time'), '3');
  assert.equal(parseRun(['--net', 'host', 'host']).string('network'), 'host');
});

test('a lone dash is a positional argument', () => {
  assert.deepEqual(parseArgs(['-'], []).args, ['-']);
});
