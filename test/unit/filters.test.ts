// The --filter parser and matchers (src/cli/filters.ts) on their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boolFilter, checkValues, globPattern, labelMatcher, parseFilters, textMatcher } from '../../src/cli/filters.js';

test('parseFilters: keys lower-cased and grouped in order; unknown key and missing = are one line', () => {
  const f = parseFilters(['name=a', 'Status=running', 'name= b ', 'label=x=y=z'], ['name', 'status', 'label']);
  assert.deepEqual([...f], [['name', ['a', 'b']], ['status', ['running']], ['label', ['x=y=z']]]);
  assert.throws(() => parseFilters(['nope=1'], ['name']), { message: "invalid filter 'nope'" });
  assert.throws(() => parseFilters(['name'], ['name']), { message: 'bad format of filter (expected name=value)' });
  assert.throws(() => parseFilters(['nope=1'], ['name']), (e: unknown) => (e as { exitCode: number }).exitCode === 125);
});

test("textMatcher: docker's Match (equal, or a regular expression found in the text); OR over values", () => {
  const m = textMatcher(['^/web$', 'db']);
  assert.ok(m('/web'));
  assert.ok(m('/mydb1'));
  assert.ok(!m('/webapp'));
  assert.ok(textMatcher(undefined)('anything'));
  assert.ok(textMatcher(['a(b'])('a(b'), 'a value that is no regexp still matches itself');
  assert.ok(!textMatcher(['a(b'])('x'));
});

test('labelMatcher: KEY or KEY=VALUE, every one must hold (AND)', () => {
  const m = labelMatcher(['team', 'tier=front']);
  assert.ok(m({ team: 'web', tier: 'front' }));
  assert.ok(!m({ team: 'web', tier: 'back' }));
  assert.ok(!m({ tier: 'front' }));
  assert.ok(!m(null));
  assert.ok(labelMatcher(['empty='])({ empty: '' }));
  assert.ok(labelMatcher([])({}));
});

test('boolFilter and checkValues', () => {
  assert.equal(boolFilter(parseFilters(['dangling=1'], ['dangling']), 'dangling'), true);
  assert.equal(boolFilter(parseFilters(['dangling=FALSE'], ['dangling']), 'dangling'), false);
  assert.equal(boolFilter(parseFilters([], ['dangling']), 'dangling'), undefined);
  assert.throws(() => boolFilter(parseFilters(['dangling=yes'], ['dangling']), 'dangling'), { message: "invalid filter 'dangling=yes'" });
  assert.throws(() => checkValues(parseFilters(['type=x'], ['type']), 'type', ['custom']), { message: "invalid filter 'type=x'" });
  checkValues(parseFilters(['type=custom'], ['type']), 'type', ['custom']);
});

test("globPattern: Go's path.Match (* and ? stay within a path segment, classes)", () => {
  const cases: [string, string, boolean][] = [
    ['busy*', 'busybox:latest', true],
    ['busy*', 'library/busybox', false],
    ['*/app:*', 'localhost:5000/app:dev', true],
    ['*:1.??', 'busybox:1.36', true],
    ['*:1.?', 'busybox:1.36', false],
    ['[ab]*', 'alpine', true],
    ['[!ab]*', 'alpine', false],
    ['a.b', 'axb', false],
  ];
  for (const [p, s, want] of cases) assert.equal(globPattern(p).test(s), want, `${p} ~ ${s}`);
});
