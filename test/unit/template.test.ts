// The Go template engine of --format, against docker's documented examples
// (docs.docker.com "Format command and log output", docker ps/images --format) and
// Go's own rules for errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, renderTemplate, TemplateError, GoStruct, GO_TYPE, tabwrite } from '../../src/cli/format/template/index.js';
import { parseListFormat, renderList } from '../../src/cli/format/template/list.js';

// A container as `inspect` shows it (a map: a missing key is "<no value>").
const ctr = {
  Name: '/Web_Server',
  Image: 'sha256:0123456789abcdef',
  Args: ['-g', 'daemon off;'],
  State: { Status: 'running', Running: true, Pid: 4242, ExitCode: 0 },
  Config: { Labels: { 'com.example.team': 'web', tier: 'front' }, Env: ['A=1', 'B=2'] },
  NetworkSettings: {
    Networks: { app: { IPAddress: '10.78.0.2' }, bridge: { IPAddress: '10.77.0.5' } },
    Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] },
  },
  HostConfig: { Memory: 268435456, Binds: null },
};

test("docker's documented functions: join, json, lower, split, title, upper, println", () => {
  const cases: [string, string][] = [
    ['{{join .Args " , "}}', '-g , daemon off;'],
    ['{{json .Config.Labels}}', '{"com.example.team":"web","tier":"front"}'],
    ['{{json .Args}}', '["-g","daemon off;"]'],
    ['{{lower .Name}}', '/web_server'],
    ['{{split .Image ":"}}', '[sha256 0123456789abcdef]'],
    ['{{title .Name}}', '/Web_Server'],
    ['{{title "hello docker world"}}', 'Hello Docker World'],
    ['{{upper .Name}}', '/WEB_SERVER'],
    ['{{range .NetworkSettings.Networks}}{{println .IPAddress}}{{end}}', '10.78.0.2\n10.77.0.5\n'],
    ['{{.State.Status}}', 'running'],
    ['{{.State.Pid}}', '4242'],
    ['{{.HostConfig.Memory}}', '268435456'],
    ['{{if .State.Running}}up{{else}}down{{end}}', 'up'],
    ['{{range $p, $conf := .NetworkSettings.Ports}}{{$p}} -> {{(index $conf 0).HostPort}}{{end}}', '80/tcp -> 8080'],
    ['{{index .Config.Labels "com.example.team"}}', 'web'],
    ['{{.Config.Labels.tier}}', 'front'],
    ['{{len .Config.Env}}', '2'],
    ['{{range $i, $e := .Config.Env}}{{if $i}},{{end}}{{$e}}{{end}}', 'A=1,B=2'],
    ['{{.Name | lower | printf "%q"}}', '"/web_server"'],
    ['{{printf "%s has pid %d" .Name .State.Pid}}', '/Web_Server has pid 4242'],
    ['{{pad .State.Status 2 1}}|', '  running |'],
    ['{{truncate .State.Status 3}}', 'run'],
    ['{{.Nope}}', '<no value>'],
    ['{{.HostConfig.Binds}}', '<nil>'],
    ['{{with .State}}{{.Status}}{{end}}', 'running'],
    ['{{if and .State.Running (eq .State.ExitCode 0)}}ok{{end}}', 'ok'],
    ['{{if or (eq .State.Status "exited") (eq .State.Status "running")}}known{{end}}', 'known'],
    ['{{if not .State.ExitCode}}zero{{end}}', 'zero'],
    ['{{if gt .State.Pid 100}}big{{else if lt .State.Pid 10}}small{{else}}mid{{end}}', 'big'],
    ['a  {{- .State.Status -}}  b', 'arunningb'],
    ['{{/* a comment */}}x', 'x'],
    ['{{$s := .State}}{{$s.Status}}', 'running'],
    ['{{range .Args}}{{if eq . "-g"}}{{continue}}{{end}}[{{.}}]{{end}}', '[daemon off;]'],
    ['{{range .Args}}[{{.}}]{{break}}{{end}}', '[-g]'],
    ['{{range .Nope}}x{{else}}none{{end}}', 'none'],
    ['{{json .State}}', '{"Status":"running","Running":true,"Pid":4242,"ExitCode":0}'],
    ['{{print 1 2 "a" 3}}', '1 2a3'],
  ];
  for (const [t, want] of cases) assert.equal(renderTemplate(t, ctr), want, t);
});

test('parse errors are one line in Go words', () => {
  const cases: [string, string][] = [
    ['{{.Nope', 'template: :1: unclosed action'],
    ['{{end}}', 'template: :1: unexpected {{end}}'],
    ['{{else}}', 'template: :1: unexpected {{else}}'],
    ['{{if .A}}x', 'template: :1: unexpected EOF'],
    ['line\n{{nofunc .}}', 'template: :2: function "nofunc" not defined'],
    ['{{"abc}}', 'template: :1: unterminated quoted string'],
    ['{{}}', 'template: :1: missing value for command'],
    ['{{$x}}', 'template: :1: undefined variable "$x"'],
    ['{{break}}', 'template: :1: {{break}} outside {{range}}'],
    ['{{/* x }}', 'template: :1: unclosed comment'],
  ];
  for (const [t, msg] of cases) {
    assert.throws(() => parseTemplate(t), (e: unknown) => e instanceof TemplateError && e.message === msg && !e.message.includes('\n'), t);
    assert.equal(new TemplateError('x').exitCode, 125);
  }
});

class Row extends GoStruct {
  get [GO_TYPE]() {
    return '*formatter.ContainerContext';
  }
  get ID() {
    return 'abc123';
  }
  get Names() {
    return 'web<1>';
  }
  Label(k: string) {
    return k === 'tier' ? 'front' : '';
  }
}

test('a row context: unknown fields fail, methods take arguments, json is sorted and escaped like docker', () => {
  assert.equal(renderTemplate('{{.ID}} {{.Label "tier"}}|{{.Label "x"}}', new Row()), 'abc123 front|');
  assert.throws(() => renderTemplate('{{.Nope}}', new Row()), {
    message: 'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext',
  });
  assert.throws(() => renderTemplate('{{.ID "x"}}', new Row()), /ID has arguments but cannot be invoked as function/);
  assert.equal(renderTemplate('{{json .}}', new Row()), '{"ID":"abc123","Names":"web\\u003c1\\u003e"}');
  assert.equal(renderTemplate('{{json .Names}}', new Row()), '"web<1>"');
});

test('table: a header from the placeholders, columns aligned as docker tabwriter (min 10, padding 3)', () => {
  const fmt = parseListFormat('table {{.ID}}\\t{{.Names}}\\t{{upper .Names}}', '');
  const header = { ID: 'CONTAINER ID', Names: 'NAMES' };
  assert.equal(renderList(fmt, [new Row(), new Row()], header),
    'CONTAINER ID   NAMES     NAMES\n' +
    'abc123         web<1>    WEB<1>\n' +
    'abc123         web<1>    WEB<1>\n');
  // No rows: the header alone. A label column heads with the key's last part, as docker.
  assert.equal(renderList(parseListFormat('table {{.Names}}\t{{.Label "com.example.some-key"}}', ''), [], header), 'NAMES     some key\n');
  // json: one object per line; a plain template: a line per row, no header.
  assert.equal(renderList(parseListFormat('json', ''), [new Row()], header), '{"ID":"abc123","Names":"web\\u003c1\\u003e"}\n');
  assert.equal(renderList(parseListFormat('{{.ID}}: {{.Names}}', ''), [new Row()], header), 'abc123: web<1>\n');
  // '' and 'table' are the verb's default.
  assert.equal(renderList(parseListFormat('table', 'table {{.ID}}'), [new Row()], header), 'CONTAINER ID\nabc123\n');
  assert.throws(() => parseListFormat('{{.ID', ''), { message: 'template parsing error: template: :1: unclosed action' });
  assert.throws(() => renderList(parseListFormat('{{.Nope}}', ''), [new Row()], header), /^TemplateError: template parsing error: template: :1:2: executing "" at <.Nope>/);
});

test("tabwriter: column blocks end where a line has no cell (Go's elastic tabstops)", () => {
  assert.equal(tabwrite('a\tbbbbbbbbbbbb\tc\nxx\ty\tz\nno tabs\nq\tr\n'),
    'a         bbbbbbbbbbbb   c\n' +
    'xx        y              z\n' +
    'no tabs\n' +
    'q         r\n');
  assert.equal(tabwrite('é\tx\n'), 'é         x\n');
});

test('printf covers the common verbs', () => {
  const cases: [string, string][] = [
    ['{{printf "%5d|%-5d|%05d" 42 42 42}}', '   42|42   |00042'],
    ['{{printf "%.2f %v %t %x %q" 3.14159 1.5 true 255 "a"}}', '3.14 1.5 true ff "a"'],
    ['{{printf "%s" 1 2}}', '1%!(EXTRA int=2)'],
    ['{{printf "%d"}}', '%!d(MISSING)'],
    ['{{printf "100%%"}}', '100%'],
  ];
  for (const [t, want] of cases) assert.equal(renderTemplate(t, {}), want, t);
});

test('parsed once, rendered for many rows quickly', () => {
  const t = parseTemplate('{{.Names}}\t{{if eq .State "running"}}{{.ID}}{{end}}');
  const rows = Array.from({ length: 5000 }, (_, i) => ({ Names: `c${i}`, State: i % 2 ? 'running' : 'exited', ID: String(i) }));
  const start = performance.now();
  const out = rows.map((r) => t.render(r)).join('\n');
  assert.ok(performance.now() - start < 500, 'rendering 5000 rows takes under half a second');
  assert.equal(out.split('\n')[1], 'c1\t1');
});

test('and/or stop at the operand that decides; a header function given a non-string ends the header', () => {
  const d = { A: null, B: { C: 'x' } };
  assert.equal(renderTemplate('{{if and .A .A.C}}y{{else}}n{{end}}', d), 'n');
  assert.equal(renderTemplate('{{or .B.C .A.C}}', d), 'x');
  assert.throws(() => renderTemplate('{{and .B .A.C}}', d), /nil pointer evaluating interface \{\}\.C/);
  assert.equal(renderList(parseListFormat('table {{.ID}}\t{{json .}}', ''), [], { ID: 'CONTAINER ID' }), 'CONTAINER ID\t\n'.replace('\t', '   '));
});
