import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanSize } from '../../src/cli/format/size.js';
import { parseBytes } from '../../src/engine/units.js';
import { containerStatus, humanDuration, timeAgo } from '../../src/cli/format/duration.js';
import { formatTable } from '../../src/cli/format/table.js';
import { ellipsis, formatCommand, shortId } from '../../src/cli/format/text.js';
import { InvalidArgument } from '../../src/engine/errors.js';
import type { ContainerInfo } from '../../src/engine/types.js';

test('parseBytes follows docker (binary units, optional b)', () => {
  const cases: [string, number][] = [
    ['256m', 256 * 1024 ** 2],
    ['256M', 256 * 1024 ** 2],
    ['256mb', 256 * 1024 ** 2],
    ['256MB', 256 * 1024 ** 2],
    ['256MiB', 256 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1G', 1024 ** 3],
    ['1.5g', 1.5 * 1024 ** 3],
    ['512k', 512 * 1024],
    ['512kb', 512 * 1024],
    ['1024', 1024],
    ['100b', 100],
    ['0', 0],
    ['1t', 1024 ** 4],
  ];
  for (const [input, bytes] of cases) assert.equal(parseBytes(input), bytes, input);
});

test('parseBytes rejects what docker rejects', () => {
  for (const bad of ['', 'abc', '12x', '-1', 'm', '1.5.5g', '1bb', '1 g b', '.5g', '1gg']) {
    assert.throws(() => parseBytes(bad), (e: unknown) => {
      assert.ok(e instanceof InvalidArgument, bad);
      assert.match(e.message, /^invalid memory value/);
      assert.equal(e.exitCode, 125);
      return true;
    });
  }
});

test('humanSize is decimal with 3 significant digits', () => {
  const cases: [number, string][] = [
    [0, '0B'],
    [999, '999B'],
    [1000, '1kB'],
    [12345, '12.3kB'],
    [256_000_000, '256MB'],
    [268_435_456, '268MB'],
    [1_500_000_000, '1.5GB'],
    [999_999, '1MB'],
    [7_340_032, '7.34MB'],
  ];
  for (const [bytes, text] of cases) assert.equal(humanSize(bytes), text, String(bytes));
});

test('humanDuration words like docker', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: [number, string][] = [
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [s, '1 second'],
    [3 * s, '3 seconds'],
    [59 * s, '59 seconds'],
    [m, 'About a minute'],
    [119 * s, 'About a minute'],
    [5 * m, '5 minutes'],
    [59 * m, '59 minutes'],
    [89 * m, 'About an hour'],
    [2 * h, '2 hours'],
    [47 * h, '47 hours'],
    [3 * d, '3 days'],
    [3 * 7 * d, '3 weeks'],
    [90 * d, '3 months'],
    [3 * 365 * d, '3 years'],
  ];
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, String(ms));
});

const now = new Date('2024-01-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

function container(p: Partial<ContainerInfo>): ContainerInfo {
  return {
    id: 'a'.repeat(64), name: 'x', image: 'host', command: ['sh'], created: ago(3_600_000), startedAt: '',
    finishedAt: '', status: 'created', pid: 0, monitorPid: 0, exitCode: null, oomKilled: false,
    spec: { image: 'host' }, bundle: '', logPath: '', cgroupPaths: {}, ...p,
  };
}

test('container status strings', () => {
  assert.equal(containerStatus(container({}), now), 'Created');
  assert.equal(containerStatus(container({ status: 'running', startedAt: ago(5 * 60_000) }), now), 'Up 5 minutes');
  assert.equal(
    containerStatus(container({ status: 'exited', exitCode: 0, finishedAt: ago(3000) }), now),
    'Exited (0) 3 seconds ago',
  );
  assert.equal(
    containerStatus(container({ status: 'exited', exitCode: 137, finishedAt: ago(2 * 3_600_000) }), now),
    'Exited (137) 2 hours ago',
  );
  assert.equal(containerStatus(container({ status: 'exited', exitCode: 1, finishedAt: ago(2000), restarting: true }), now), 'Restarting (1) 2 seconds ago');
  // docker's health suffix: starting until the monitor wrote a status; none without a check.
  const hc = { Test: ['CMD', 'true'], Interval: 1, Timeout: 1, StartPeriod: 0, StartInterval: 1, Retries: 3 };
  const up = { status: 'running' as const, startedAt: ago(5 * 60_000), healthcheck: hc };
  assert.equal(containerStatus(container(up), now), 'Up 5 minutes (health: starting)');
  assert.equal(containerStatus(container({ ...up, health: { Status: 'healthy', FailingStreak: 0, Log: [] } }), now), 'Up 5 minutes (healthy)');
  assert.equal(containerStatus(container({ ...up, health: { Status: 'unhealthy', FailingStreak: 3, Log: [] } }), now), 'Up 5 minutes (unhealthy)');
  assert.equal(containerStatus(container({ ...up, paused: true, health: { Status: 'healthy', FailingStreak: 0, Log: [] } }), now), 'Up 5 minutes (Paused)');
  assert.equal(timeAgo(ago(2 * 3_600_000), now), '2 hours ago');
  assert.equal(timeAgo('', now), 'N/A');
  assert.equal(timeAgo(new Date(0).toISOString(), now), 'N/A');
});

test('table columns are padded like docker (min 10, padding 3, last unpadded)', () => {
  const out = formatTable(
    ['CONTAINER ID', 'IMAGE', 'NAMES'],
    [
      ['0123456789ab', 'host', 'web'],
      ['ba9876543210', 'alpine-long-name', 'db'],
    ],
  );
  assert.equal(
    out,
    'CONTAINER ID   IMAGE              NAMES\n' +
      '0123456789ab   host               web\n' +
      'ba9876543210   alpine-long-name   db\n',
  );
  assert.equal(formatTable(['A', 'B'], []), 'A         B\n');
});

test('ids and commands', () => {
  assert.equal(shortId('sha256:' + 'c'.repeat(64)), 'cccccccccccc');
  assert.equal(ellipsis('abcdef', 4), 'abc…');
  assert.equal(ellipsis('abcd', 4), 'abcd');
  assert.equal(formatCommand(['sleep', '1000']), '"sleep 1000"');
  assert.equal(formatCommand(['sh', '-c', 'sleep 1000 && echo done']), '"sh -c sleep 1000 &&…"');
  assert.equal(formatCommand(['sh', '-c', 'sleep 1000 && echo done'], true), '"sh -c sleep 1000 && echo done"');
  assert.equal(formatCommand(['echo', '"hi"']), '"echo \\"hi\\""');
});

test('the dashboard\'s STATE: paused, restarting with the exit code, restarts counted', async () => {
  const { fmtState } = await import('../../src/ui/format.js');
  const now = Date.parse('2026-12-07T03:00:00Z');
  const c = (p: Partial<ContainerInfo>) => ({ id: 'x', name: 'x', image: 'host', created: '2026-12-07T02:00:00Z', startedAt: '2026-12-07T02:59:00Z', finishedAt: '', status: 'running', pid: 1, exitCode: null, ...p }) as ContainerInfo;
  assert.equal(fmtState(c({ paused: true }), now), 'paused 1m');
  assert.equal(fmtState(c({ status: 'exited', exitCode: 1, restarting: true, restartCount: 2 }), now), 'restarting 1 (2 restarts)');
  assert.equal(fmtState(c({ restartCount: 1 }), now), 'running 1m (1 restart)');
});
