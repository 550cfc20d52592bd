// What `commit` and `history` decide without touching the disk: the -c changes
// (images/config-changes.ts) as docker's --change applies them, the config's
// canonical form (the image id depends on values only), and the CLI's commit and
// history verbs against the fake engine (docker's table, -q, --no-trunc, -H, --format).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges } from '../../src/engine/images/config-changes.js';
import { canonicalConfig, type RuntimeConfig } from '../../src/engine/images/commit.js';
import { InvalidArgument } from '../../src/engine/errors.js';
import { FakeEngine } from '../support/fake-engine.js';
import { cli } from '../support/cli-inproc.js';

const BASE: RuntimeConfig = { Env: ['PATH=/bin', 'A=1'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/app' };

test('-c changes: each instruction as docker applies it', () => {
  const cases: Array<[string[], RuntimeConfig]> = [
    [['CMD ["nginx", "-g", "daemon off;"]'], { ...BASE, Cmd: ['nginx', '-g', 'daemon off;'] }],
    [['CMD echo $HOME'], { ...BASE, Cmd: ['/bin/sh', '-c', 'echo $HOME'] }],
    [['cmd [not json'], { ...BASE, Cmd: ['/bin/sh', '-c', '[not json'] }],
    [['ENTRYPOINT ["/init"]'], { ...BASE, Entrypoint: ['/init'], Cmd: null }],
    [['CMD ["x"]', 'ENTRYPOINT /init'], { ...BASE, Entrypoint: ['/bin/sh', '-c', '/init'], Cmd: ['x'] }],
    [['ENV A=2 B="two words" C=x\\ y'], { ...BASE, Env: ['PATH=/bin', 'A=2', 'B=two words', 'C=x y'] }],
    [['ENV LEGACY the rest of it'], { ...BASE, Env: ['PATH=/bin', 'A=1', 'LEGACY=the rest of it'] }],
    [['LABEL a=1 "b c"=2', 'LABEL a=3'], { ...BASE, Labels: { a: '3', 'b c': '2' } }],
    [['EXPOSE 80 53/udp 8000-8001/TCP'], { ...BASE, ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} } }],
    [['VOLUME ["/data", "/logs"]', 'VOLUME /x /y'], { ...BASE, Volumes: { '/data': {}, '/logs': {}, '/x': {}, '/y': {} } }],
    [['USER 1000:1000'], { ...BASE, User: '1000:1000' }],
    [['WORKDIR sub', 'WORKDIR ../other'], { ...BASE, WorkingDir: '/app/other' }],
    [['WORKDIR /abs'], { ...BASE, WorkingDir: '/abs' }],
    [['STOPSIGNAL SIGQUIT'], { ...BASE, StopSignal: 'SIGQUIT' }],
    [['ONBUILD RUN make', 'onbuild COPY . /src'], { ...BASE, OnBuild: ['RUN make', 'COPY . /src'] }],
  ];
  for (const [changes, want] of cases) assert.deepEqual(applyChanges(BASE, changes), want, changes.join(' | '));
  assert.deepEqual(BASE.Env, ['PATH=/bin', 'A=1'], 'the input is not changed');
  assert.deepEqual(applyChanges({ Shell: ['/bin/bash', '-c'] }, ['CMD ls']).Cmd, ['/bin/bash', '-c', 'ls'], "a SHELL'd image's shell");
});

test('-c changes: bad ones, one line naming the change', () => {
  const bad: Array<[string, string]> = [
    ['RUN make', 'invalid change "RUN make": RUN is not a valid change command (one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)'],
    ['FROM x', 'invalid change "FROM x": FROM is not a valid change command (one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)'],
    ['CMD', 'invalid change "CMD": CMD requires at least one argument'],
    ['', 'invalid change "": empty'],
    ['ENV =x', 'invalid change "ENV =x": names can not be blank'],
    ['ENV A=1 B', 'invalid change "ENV A=1 B": can\'t find = in "B": must be of the form name=value'],
    ['ENV A="open', 'invalid change "ENV A="open": unterminated " quote'],
    ['EXPOSE 0', 'invalid change "EXPOSE 0": invalid containerPort: 0'],
    ['EXPOSE 80/http', 'invalid change "EXPOSE 80/http": invalid containerPort: 80/http'],
    ['STOPSIGNAL SIGNOPE', 'invalid change "STOPSIGNAL SIGNOPE": invalid signal: SIGNOPE'],
    ['ONBUILD ONBUILD RUN x', 'invalid change "ONBUILD ONBUILD RUN x": ONBUILD isn\'t allowed as an ONBUILD trigger'],
    ['VOLUME [""]', 'invalid change "VOLUME [""]": VOLUME specified can not be an empty string'],
  ];
  for (const [change, message] of bad)
    assert.throws(() => applyChanges(BASE, [change]), (e: unknown) => e instanceof InvalidArgument && e.message === message && !e.message.includes('\n'), change);
});

test('the config in one form: key order and map order do not change its bytes', () => {
  const a = canonicalConfig({ Labels: { b: '2', a: '1' }, Cmd: ['x'], User: 'u', Zeta: 1, Alpha: 2, Env: undefined } as RuntimeConfig);
  const b = canonicalConfig({ Alpha: 2, User: 'u', Cmd: ['x'], Zeta: 1, Labels: { a: '1', b: '2' } } as RuntimeConfig);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  assert.equal(JSON.stringify(a), '{"User":"u","Cmd":["x"],"Labels":{"a":"1","b":"2"},"Alpha":2,"Zeta":1}');
});

const ID = `sha256:${'1'.repeat(64)}`;

function withHistory(): FakeEngine {
  const e = new FakeEngine();
  e.imageList.push({ name: 'app:1', id: ID, created: '2024-01-01T10:00:00Z', size: 5, kind: 'oci' });
  e.histories.set(ID, [
    { id: ID, created: '2024-01-01T11:59:30Z', createdBy: '/bin/sh -c apt-get update && apt-get install -y --no-install-recommends\tcurl', size: 12_345_678, comment: 'deps', emptyLayer: false },
    { id: '<missing>', created: '2024-01-01T10:00:00Z', createdBy: 'CMD ["sh"]', size: 0, comment: '', emptyLayer: true },
    { id: '<missing>', created: '', createdBy: '', size: 4_500, comment: '', emptyLayer: false },
  ]);
  return e;
}

test('history: docker\'s table, newest first, CREATED BY cut to 45 columns', async () => {
  const r = await cli(['history', 'app:1'], withHistory());
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      'IMAGE          CREATED          CREATED BY                                      SIZE      COMMENT',
      '111111111111   30 seconds ago   /bin/sh -c apt-get update && apt-get install…   12.3MB    deps',
      '<missing>      2 hours ago      CMD ["sh"]                                      0B        ',
      '<missing>      N/A                                                              4.5kB     ',
      '',
    ].join('\n'),
  );
});

test('history: -q, --no-trunc, -H=false, --format', async () => {
  const e = withHistory();
  assert.equal((await cli(['history', '-q', 'app:1'], e)).out, '111111111111\n<missing>\n<missing>\n');
  assert.equal((await cli(['history', '-q', '--no-trunc', 'app:1'], e)).out, `${ID}\n<missing>\n<missing>\n`);
  const full = (await cli(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'app:1'], e)).out.split('\n')[0];
  assert.equal(full, '/bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl', 'tabs become spaces');
  assert.equal((await cli(['history', '-H=false', '--format', '{{.ID}} {{.CreatedAt}} {{.Size}}', 'app:1'], e)).out, `111111111111 2024-01-01T11:59:30Z 12345678\n<missing> 2024-01-01T10:00:00Z 0\n<missing> N/A 4500\n`);
  assert.equal(
    (await cli(['history', '--format', 'table {{.ID}}\\t{{.Size}}', 'app:1'], e)).out,
    'IMAGE          SIZE\n111111111111   12.3MB\n<missing>      0B\n<missing>      4.5kB\n',
  );
  const bad = await cli(['history', '--format', '{{.Nope}}', 'app:1'], e);
  assert.equal(bad.code, 125);
  assert.match(bad.err, /^hutch: template: can't evaluate field Nope \(one of ID, CreatedSince, CreatedAt, CreatedBy, Size, Comment\) \(see 'hutch history --help'\)\n$/);
  assert.deepEqual(e.callsOf('imageHistory').length, 5, 'a bad template is refused before the engine is asked');
  const missing = await cli(['history', 'nope:1'], e);
  assert.deepEqual([missing.code, missing.err], [125, 'hutch: No such image: nope:1\n']);
});

test('commit: the id on stdout; flags passed as docker names them; pause on unless --pause=false', async () => {
  const e = new FakeEngine();
  await e.create({ image: 'host', name: 'box', cmd: ['true'] });
  e.imageList.push({ name: 'bb:1', id: `sha256:${'2'.repeat(64)}`, created: '', size: 1, kind: 'oci' });
  const d = await e.create({ image: 'bb:1', name: 'onbb', cmd: ['true'] });
  const r = await cli(['commit', '-c', 'CMD ["a"]', '--change=ENV X=1', '-m', 'msg', '-a', 'me', 'onbb', 'new:1'], e);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^sha256:[0-9a-f]{64}\n$/);
  assert.deepEqual(e.callsOf('commit')[0], ['onbb', { reference: 'new:1', changes: ['CMD ["a"]', 'ENV X=1'], message: 'msg', author: 'me', pause: true }]);
  await cli(['commit', '--pause=false', d.id], e);
  assert.equal((e.callsOf('commit')[1][1] as { pause: boolean }).pause, false);
  for (const [args, err] of [
    [['commit', '-c', 'RUN x', 'onbb'], /^hutch: invalid change "RUN x": RUN is not a valid change command/],
    [['commit', 'box'], /^hutch: container box runs the built-in host image, which has no layers to commit on\n$/],
    [['commit', 'nosuch'], /^hutch: No such container: nosuch\n$/],
    [['commit'], /requires at least 1 argument|at least/],
  ] as const) {
    const x = await cli([...args], e);
    assert.equal(x.code, 125, `${args.join(' ')}: ${x.err}`);
    assert.match(x.err, err);
  }
});
