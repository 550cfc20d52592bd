// Configuration, themes, key bindings and the other pure parts of the dashboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, DEFAULT_COLUMNS, loadConfig, parseConfig } from '../../src/ui/config.js';
import { ThemeError, THEME_NAMES, loadTheme, sgr } from '../../src/ui/theme.js';
import { createKeymap, defaultBindings, findConflict, keyName } from '../../src/ui/keys.js';
import { dashboardOptions } from '../../src/cli/dashboard.js';
import { formSpec, splitCommand } from '../../src/ui/form.js';
import { mergeByTime } from '../../src/ui/logs.js';
import { layoutColumns, shownColumns } from '../../src/ui/views/table.js';
import type { ContainerInfo } from '../../src/engine/types.js';
import { makePainter } from '../../src/ui/paint.js';
import { main } from '../../src/cli/cli.js';

function tmpdir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-ui-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const F = '/x/config.json';
const err = (text: string) => {
  try {
    parseConfig(F, text);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal((e as ConfigError).exitCode, 125);
    assert.doesNotMatch((e as Error).message, /\n/);
    return (e as Error).message;
  }
  assert.fail('no error');
};

test('config: every setting, and one-line errors naming the file and the field', () => {
  const c = parseConfig(F, JSON.stringify({ interval: '2s', theme: 'light', columns: ['name', 'cpu'], sort: '-mem', showAll: true, stopTimeout: 3, keys: { stop: 'X', kill: ['K', 'ctrl+k'] } }));
  assert.equal(c.intervalMs, 2000);
  assert.equal(c.theme, 'light');
  assert.deepEqual(c.columns, ['name', 'cpu']);
  assert.deepEqual(c.sort, { key: 'mem', desc: true });
  assert.equal(c.showAll, true);
  assert.equal(c.stopTimeout, 3);
  assert.deepEqual(c.keys.stop, ['X']);
  assert.deepEqual(c.keys.kill, ['K', 'ctrl+k']);
  assert.deepEqual(c.keys.start, ['s']);

  assert.match(err('{'), /^config \/x\/config\.json: invalid JSON: /);
  assert.equal(err('[]'), 'config /x/config.json: must be a JSON object');
  assert.match(err('{"intervall": 1}'), /^config \/x\/config\.json: intervall: unknown setting/);
  assert.match(err('{"interval": "fast"}'), /^config \/x\/config\.json: interval: "fast" is not an interval/);
  assert.match(err('{"columns": ["name", "colour"]}'), /: columns\[1\]: "colour" is not a column/);
  assert.match(err('{"columns": ["cpu"]}'), /: columns: must include "name"/);
  assert.match(err('{"sort": "size"}'), /: sort: "size" is not a sort key/);
  assert.match(err('{"keys": {"explode": "e"}}'), /: keys\.explode: unknown action/);
  assert.match(err('{"keys": {"stop": "Enter"}}'), /: keys\.stop: "Enter" is not a key/);
  assert.match(err('{"keys": {"stop": []}}'), /: keys\.stop: must be a key or a non-empty list/);
  assert.equal(err('{"keys": {"stop": "s"}}'), 'config /x/config.json: keys.stop: "s" is already bound to start (in the containers view)');
  assert.match(err('{"stopTimeout": -1}'), /: stopTimeout: must be a whole number/);
});

test('config: read from $XDG_CONFIG_HOME/hutch/config.json; missing file means defaults', (t) => {
  const dir = tmpdir(t);
  assert.deepEqual(loadConfig({ XDG_CONFIG_HOME: dir }).columns, DEFAULT_COLUMNS);
  fs.mkdirSync(path.join(dir, 'hutch'));
  fs.writeFileSync(path.join(dir, 'hutch', 'config.json'), '{"interval": 0.5}');
  const c = loadConfig({ XDG_CONFIG_HOME: dir });
  assert.equal(c.intervalMs, 500);
  assert.equal(c.file, path.join(dir, 'hutch', 'config.json'));
  assert.equal(loadConfig({ HOME: dir }).file, undefined);
});

test('themes: the four built-ins load and are complete', () => {
  for (const n of THEME_NAMES) {
    const th = loadTheme(n);
    assert.equal(th.name, n);
    assert.ok(Object.values(th.colors).every((c) => typeof c === 'string'));
  }
  assert.ok(Object.values(loadTheme('mono').colors).every((c) => c === ''));
  assert.equal(sgr('red'), '\x1b[31m');
  assert.equal(sgr('#ff8000'), '\x1b[38;2;255;128;0m');
  assert.equal(sgr('#f80'), '\x1b[38;2;255;136;0m');
  assert.equal(sgr(''), undefined);
});

test('themes: a file may set some colours; broken ones name the file and the field', (t) => {
  const dir = tmpdir(t);
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const ok = loadTheme(file('mine.json', '{"name": "mine", "colors": {"cpu": "#00ff00"}}'));
  assert.equal(ok.name, 'mine');
  assert.equal(ok.colors.cpu, '#00ff00');
  assert.equal(ok.colors.mem, loadTheme('dark').colors.mem);
  const bad = (p: string) => {
    try {
      loadTheme(p);
    } catch (e) {
      assert.ok(e instanceof ThemeError);
      assert.equal((e as ThemeError).exitCode, 125);
      return (e as Error).message;
    }
    assert.fail('no error');
  };
  const b1 = file('b1.json', '{"colors": {"cpu": "chartreuse"}}');
  assert.equal(bad(b1), `theme ${b1}: colors.cpu: "chartreuse" is not a colour (a name like "green", "#rrggbb", or "")`);
  const b2 = file('b2.json', '{"colors": {"cpuu": "red"}}');
  assert.equal(bad(b2), `theme ${b2}: colors.cpuu: unknown colour key`);
  const b3 = file('b3.json', '{"colours": {}}');
  assert.equal(bad(b3), `theme ${b3}: colours: unknown field`);
  const b4 = file('b4.json', '{"colors": ');
  assert.match(bad(b4), new RegExp(`^theme ${b4}: invalid JSON`));
  assert.equal(bad(path.join(dir, 'none.json')), `theme ${path.join(dir, 'none.json')}: cannot read: no such file`);
  assert.match(bad('solarized'), /^theme "solarized": not a built-in theme/);
});

test('options: --theme beats HUTCH_THEME beats the config; NO_COLOR means mono; bad flags are usage errors', (t) => {
  const dir = tmpdir(t);
  fs.mkdirSync(path.join(dir, 'hutch'));
  fs.writeFileSync(path.join(dir, 'hutch', 'config.json'), '{"theme": "light", "interval": "2s"}');
  const env = { XDG_CONFIG_HOME: dir };
  assert.equal(dashboardOptions([], env).theme.name, 'light');
  assert.equal(dashboardOptions([], env).intervalMs, 2000);
  assert.equal(dashboardOptions([], { ...env, HUTCH_THEME: 'high-contrast' }).theme.name, 'high-contrast');
  assert.equal(dashboardOptions(['--theme', 'dark', '--interval=250ms'], { ...env, HUTCH_THEME: 'light' }).theme.name, 'dark');
  assert.equal(dashboardOptions(['--interval=250ms'], env).intervalMs, 250);
  assert.equal(dashboardOptions([], { ...env, NO_COLOR: '1' }).theme.name, 'mono');
  assert.throws(() => dashboardOptions(['--interval', 'soon'], env), /invalid argument "soon" for "--interval" flag/);
  assert.throws(() => dashboardOptions(['--colour'], env), /unknown flag/);
});

test('hutch --theme BROKEN: one line naming the file and the field, exit 125, engine never opened', async (t) => {
  const dir = tmpdir(t);
  const p = path.join(dir, 'broken.json');
  fs.writeFileSync(p, '{"colors": {"error": 42}}');
  let out = '';
  let errOut = '';
  let opened = false;
  const code = await main(['--theme', p], {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((errOut += s), true) },
    env: { XDG_CONFIG_HOME: dir },
    openEngine: async () => {
      opened = true;
      throw new Error('should not open');
    },
  });
  assert.equal(code, 125);
  assert.equal(errOut, `hutch: theme ${p}: colors.error: 42 is not a colour (a name like "green", "#rrggbb", or "")\n`);
  assert.equal(out, '');
  assert.equal(opened, false);
});

test('keys: names from Ink events, per-view lookup, defaults without conflicts', () => {
  assert.equal(keyName('', { upArrow: true }), 'up');
  assert.equal(keyName('\r', { return: true }), 'enter');
  assert.equal(keyName(' ', {}), 'space');
  assert.equal(keyName('c', { ctrl: true }), 'ctrl+c');
  assert.equal(keyName('', { delete: true }), 'backspace');
  assert.equal(keyName('K', { shift: true }), 'K');
  assert.equal(findConflict(defaultBindings()), undefined);
  const map = createKeymap(defaultBindings());
  assert.equal(map('containers', 'n'), 'create');
  assert.equal(map('logs', 'n'), 'nextMatch');
  assert.equal(map('containers', '/'), 'filter');
  assert.equal(map('logs', '/'), 'search');
  assert.equal(map('images', 'd'), 'removeImage');
  assert.equal(map('detail', 'd'), 'remove');
  assert.equal(map('help', 's'), undefined);
});

test('columns collapse by priority; the slack goes to the columns that carry data', () => {
  // HEALTH is shown only while some container has a health check.
  const plain = shownColumns({ columns: DEFAULT_COLUMNS, containers: [] });
  assert.ok(!plain.includes('health') && DEFAULT_COLUMNS.includes('health'));
  const checked = { healthcheck: { Test: ['CMD', 'true'], Interval: 1, Timeout: 1, StartPeriod: 0, StartInterval: 1, Retries: 3 } } as ContainerInfo;
  assert.deepEqual(shownColumns({ columns: DEFAULT_COLUMNS, containers: [checked] }), DEFAULT_COLUMNS);
  assert.equal(layoutColumns(DEFAULT_COLUMNS, 200).map((c) => `${c.name}:${c.width}`).join(' '), 'name:24 image:28 state:13 health:9 cpu:6 spark:45 mem:11 memPct:5 pids:5 net:11 network:10 ports:20');
  const names = (w: number) => layoutColumns(plain, w).map((c) => `${c.name}:${c.width}`).join(' ');
  // 200 columns: NAME took 114 before; now the image and the sparkline get room, and NETWORK and PORTS fit.
  assert.equal(names(200), 'name:24 image:28 state:13 cpu:6 spark:55 mem:11 memPct:5 pids:5 net:11 network:10 ports:20');
  // Without them (a config that leaves them out), memory and network traffic get room as before.
  const without = plain.filter((c) => c !== 'network' && c !== 'ports');
  assert.equal(layoutColumns(without, 200).map((c) => `${c.name}:${c.width}`).join(' '), 'name:34 image:37 state:13 cpu:6 spark:60 mem:15 memPct:5 pids:5 net:15');
  // They are the first to go, NETWORK before PORTS: both from 133 columns, PORTS alone from 122.
  assert.equal(names(133), 'name:16 image:12 state:13 cpu:6 spark:12 mem:11 memPct:5 pids:5 net:11 network:10 ports:20');
  assert.equal(names(132), 'name:24 image:14 state:13 cpu:6 spark:12 mem:11 memPct:5 pids:5 net:11 ports:20');
  assert.equal(names(122), 'name:16 image:12 state:13 cpu:6 spark:12 mem:11 memPct:5 pids:5 net:11 ports:20');
  assert.equal(names(120), 'name:24 image:23 state:13 cpu:6 spark:12 mem:11 memPct:5 pids:5 net:11');
  assert.equal(names(80), 'name:20 state:13 cpu:6 spark:12 mem:11 memPct:5 pids:5');
  assert.equal(names(60), 'name:24 state:13 cpu:6 mem:12');
  assert.equal(names(20), 'name:18');
});

test('the painter: nothing when colours are off; reverse video for selection in mono', () => {
  const off = makePainter(loadTheme('dark'), false);
  assert.equal(off.fg('error', 'x'), 'x');
  assert.equal(off.selected('row'), 'row');
  const mono = makePainter(loadTheme('mono'), true);
  assert.equal(mono.fg('error', 'x'), 'x');
  assert.equal(mono.selected(`a\x1b[32mb\x1b[39m`), '\x1b[7mab\x1b[27m');
  const dark = makePainter(loadTheme('dark'), true);
  assert.equal(dark.fg('error', 'x'), '\x1b[91mx\x1b[39m');
  assert.equal(dark.selected('row'), '\x1b[46m\x1b[30mrow\x1b[39m\x1b[49m');
});

test('commands from the form are split like a shell would', () => {
  assert.deepEqual(splitCommand(`sh -c 'while :; do :; done'`), ['sh', '-c', 'while :; do :; done']);
  assert.deepEqual(splitCommand(`echo "a \\"b\\"" c\\ d ''`), ['echo', 'a "b"', 'c d', '']);
  assert.throws(() => splitCommand(`echo 'oops`), /unterminated ' quote/);
});

test('form validation names the field', () => {
  const form = (v: Partial<Record<string, string | boolean>>) =>
    ({ kind: 'form' as const, focus: 0, values: { image: 'host', name: '', command: '', memory: '', cpus: '', network: '', ports: '', volumes: '', detach: true, ...v } });
  assert.deepEqual(formSpec(form({})), { image: 'host' });
  assert.throws(() => formSpec(form({ image: ' ' })), /^Error: image: required$/);
  assert.throws(() => formSpec(form({ cpus: '-1' })), /cpus: "-1" is not a positive number/);
});

test('merged logs stay in time order', () => {
  const e = (time: string, seq: number) => ({ seq, cid: 'c', name: 'n', time, stream: 'stdout' as const, text: time });
  const merged = mergeByTime([e('1', 0), e('3', 1)], [e('2', 2), e('4', 3)]);
  assert.deepEqual(merged.map((x) => x.time), ['1', '2', '3', '4']);
});
