// images --format, --filter, --digests, -a against the fake engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine } from '../support/fake-engine.js';
import { cli } from '../support/cli-inproc.js';
import type { ImageDetail, ImageInfo } from '../../src/engine/types.js';

const BB = 'sha256:' + 'b1'.repeat(32);
const APP = 'sha256:' + 'a2'.repeat(32);
const OLD = 'sha256:' + 'c3'.repeat(32);

function fixture(): FakeEngine {
  const e = new FakeEngine();
  const img = (p: Partial<ImageInfo> & { name: string; id: string }): ImageInfo => ({ created: '2023-12-31T12:00:00Z', size: 4_300_000, kind: 'oci', ...p });
  e.imageList.push(
    img({ name: 'busybox:latest', id: BB, repository: 'busybox', tag: 'latest', digest: 'sha256:' + 'd4'.repeat(32) }),
    img({ name: 'busybox:1.36', id: BB, repository: 'busybox', tag: '1.36' }),
    img({ name: 'localhost:5000/app:dev', id: APP, repository: 'localhost:5000/app', tag: 'dev', created: '2024-01-01T11:00:00Z', size: 12_000_000 }),
    img({ name: OLD, id: OLD, repository: '<none>', tag: '<none>', created: '2023-06-01T00:00:00Z' }),
  );
  const inspect = e.inspectImage.bind(e);
  e.inspectImage = async (ref: string): Promise<ImageDetail> => {
    const d = await inspect(ref);
    return { ...d, Config: { ...d.Config, Labels: ref === APP ? { team: 'web', tier: 'front' } : null } };
  };
  return e;
}

const run = (argv: string[], e = fixture()) => cli(['images', ...argv], e);
const lines = async (...argv: string[]) => (await run(argv)).out.trim().split('\n').filter(Boolean);

test('images --format: placeholders, table, json', async () => {
  assert.deepEqual(await lines('--format', '{{.Repository}}:{{.Tag}} {{.ID}}'), [
    'host:<none> abababababab', 'busybox:latest b1b1b1b1b1b1', 'busybox:1.36 b1b1b1b1b1b1', 'localhost:5000/app:dev a2a2a2a2a2a2', '<none>:<none> c3c3c3c3c3c3',
  ]);
  assert.equal((await run(['--filter', 'reference=busybox', '--format', 'table {{.ID}}\\t{{.Repository}}\\t{{.Tag}}'])).out,
    'IMAGE ID       REPOSITORY   TAG\n' +
    'b1b1b1b1b1b1   busybox      latest\n' +
    'b1b1b1b1b1b1   busybox      1.36\n');
  const [j] = (await run(['--filter', 'reference=busybox:latest', '--format', 'json'])).out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(j, {
    Containers: 'N/A', CreatedAt: '2023-12-31 12:00:00 +0000 UTC', CreatedSince: '24 hours ago', Digest: '<none>', ID: 'b1b1b1b1b1b1', Repository: 'busybox',
    SharedSize: 'N/A', Size: '4.3MB', Tag: 'latest', UniqueSize: 'N/A', VirtualSize: '4.3MB',
  });
  assert.equal((await run(['--filter', 'reference=busybox:latest', '--format', '{{.Digest}}'])).out, `sha256:${'d4'.repeat(32)}\n`);
  assert.equal((await run(['--filter', 'reference=busybox:latest', '--no-trunc', '--format', '{{.ID}} {{.Size}} {{.CreatedSince}}'])).out, `${BB} 4.3MB 24 hours ago\n`);
  const bad = await run(['--format', '{{.Repository']);
  assert.deepEqual([bad.code, bad.err, bad.out], [125, 'hutch: template parsing error: template: :1: unclosed action\n', '']);
});

test('images --digests adds the DIGEST column; -a lists the same images', async () => {
  assert.equal((await run(['--digests', 'busybox'])).out,
    'REPOSITORY   TAG       DIGEST                                                                    IMAGE ID       CREATED        SIZE\n' +
    `busybox      latest    sha256:${'d4'.repeat(32)}   b1b1b1b1b1b1   24 hours ago   4.3MB\n` +
    'busybox      1.36      <none>                                                                    b1b1b1b1b1b1   24 hours ago   4.3MB\n');
  assert.equal((await run(['--digests', '--format', 'table {{.Tag}}', 'busybox:1.36'])).out, 'TAG       DIGEST\n1.36      <none>\n');
  assert.equal((await run(['-a'])).out, (await run([])).out);
});

test('images --filter: reference globs, dangling, label, before, since; keys AND, a key repeated OR', async () => {
  const names = (...argv: string[]) => lines(...argv, '--format', '{{.Repository}}:{{.Tag}}');
  assert.deepEqual(await names('--filter', 'reference=busy*'), ['busybox:latest', 'busybox:1.36']);
  assert.deepEqual(await names('--filter', 'reference=*:1.*'), ['busybox:1.36']);
  assert.deepEqual(await names('--filter', 'reference=*/app'), ['localhost:5000/app:dev']);
  assert.deepEqual(await names('--filter', 'reference=busybox:latest', '--filter', 'reference=*/app:dev'), ['busybox:latest', 'localhost:5000/app:dev']);
  assert.deepEqual(await names('busybox'), ['busybox:latest', 'busybox:1.36'], 'a positional REPOSITORY[:TAG] is a reference filter');
  assert.deepEqual(await names('--filter', 'dangling=true'), ['<none>:<none>']);
  assert.deepEqual(await names('--filter', 'dangling=false', '--filter', 'reference=*/*'), ['localhost:5000/app:dev']);
  assert.deepEqual(await names('--filter', 'label=team'), ['localhost:5000/app:dev']);
  assert.deepEqual(await names('--filter', 'label=team=db'), []);
  assert.deepEqual(await names('--filter', 'before=busybox'), ['<none>:<none>']);
  assert.deepEqual(await names('--filter', 'since=busybox:1.36'), ['host:<none>', 'localhost:5000/app:dev']);
  assert.deepEqual(await names('--filter', 'since=c3c3'), ['host:<none>', 'busybox:latest', 'busybox:1.36', 'localhost:5000/app:dev']);
  assert.deepEqual(await lines('-q', '--filter', 'reference=busybox'), ['b1b1b1b1b1b1']);
});

test('bad image filters: one line, exit 125', async () => {
  const cases: [string[], string][] = [
    [['--filter', 'nope=1'], "hutch: invalid filter 'nope'\n"],
    [['--filter', 'dangling=maybe'], "hutch: invalid filter 'dangling=maybe'\n"],
    [['--filter', 'before=ghost'], 'hutch: No such image: ghost\n'],
  ];
  for (const [argv, err] of cases) {
    const r = await run(argv);
    assert.deepEqual([r.code, r.out, r.err], [125, '', err], argv.join(' '));
  }
});
