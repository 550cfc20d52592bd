// Issue 9 §1 (the CVE-2024-21626 class): a container never holds a file descriptor that
// was opened outside it. A table over every entry point that puts a process into a
// container (run attached, -i, -t, -it, -d, -di, -dt; create + start, start -a, start -ai;
// exec, exec -i, -t, -it, -d). Each row runs the CLI from a host shell whose own fds are
// host files with distinctive names: stdin a read-only file (or a directory), stdout and
// stderr files, fd 5 a directory, its working directory a host directory too. Then:
//
// - from inside, every fd of every process in the container (the command's own and
//   pid 1's, /proc/[0-9]*/fd/*) is a pipe, the container's own pty (the devpts mounted in
//   it) or /dev/null, never a socket (the CLI's stdio under node), a file or a directory;
//   no path names the host's temp dir; every process's cwd is the container's /;
// - `echo PWNED > /proc/self/fd/0` leaves the host file that was the CLI's stdin as it was;
// - `cd -P /proc/self/fd/0 && cd -P ../..` with a host directory as stdin does not walk
//   the host's directories (the grandparent holds a marker file the container must not
//   list or read).
//
// Before the fix (751824e) `run -i` and `exec` (with or without -i) handed the CLI's fds
// 0-2 to the container: those rows fail there (the listing shows the host files or node's
// stdio sockets, the victim says PWNED, the marker is listed; `exec C cat` with an open
// stdin pipe never ends); `exec -d` and `start -a/-ai` did not exist. The -t rows run the
// CLI under util-linux `script` for a real terminal: its pty is the host's, and must not
// be what the container holds either (its devpts is another instance).
//
// Plus: stdin still arrives where asked (run -i, exec -i, start -ai; exit codes kept),
// and without -i the command reads EOF at once even when the CLI's stdin is an open pipe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { sandbox, HUTCH, type Sandbox } from './helpers.js';

let sb: Sandbox;
/** /tmp/hutch-esc-XXXX: everything the host side of these tests makes. */
let T = '';
/** T/a/b: a host directory given as stdin, fd 5 and working directory of the CLI. */
let DIR = '';
/** A file in T (the grandparent of DIR) that no container may see. */
let MARKER = '';
/** A running container that the exec rows enter. */
let BOX = '';
const HAVE_SCRIPT = !spawnSync('script', ['--version']).error;
const RAND = randomBytes(4).toString('hex');
let seq = 0;

before(async () => {
  sb = await sandbox();
  T = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-esc-'));
  DIR = path.join(T, 'a', 'b');
  fs.mkdirSync(DIR, { recursive: true });
  fs.mkdirSync(path.join(T, 'o'));
  MARKER = `hutch-esc-marker-${RAND}`;
  fs.writeFileSync(path.join(T, MARKER), `marker-content-${RAND}\n`);
  BOX = `esc-box-${RAND}`;
  const r = sb.cli(['run', '-d', '--name', BOX, 'host', 'sleep', '1000']);
  assert.equal(r.status, 0, r.stderr);
});

after(async () => {
  await sb?.cleanup();
  if (T) fs.rmSync(T, { recursive: true, force: true });
});

interface ShResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a host shell script (in a process group of its own, killed whole on timeout)
 * with $H the CLI, $T and $BOX set, in DIR. `stdin`: text written then closed, or
 * 'open': a pipe left open until the script has ended. */
function hostSh(script: string, env: Record<string, string> = {}, opts: { stdin?: string | 'open'; timeout?: number } = {}): Promise<ShResult> {
  assert.ok(!/\s/.test(process.execPath + HUTCH), 'paths without blanks ($H is split on them)');
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', script], {
      cwd: DIR,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...sb.env, SHELL: '/bin/sh', H: `${process.execPath} ${HUTCH}`, T, BOX, DIR, ...env },
    });
    let stdout = '';
    let stderr = '';
    let settled = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin!.on('error', () => {});
    if (opts.stdin !== 'open') child.stdin!.end(opts.stdin ?? '');
    const finish = (code: number | null, timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdin!.destroy();
      resolve({ code, stdout, stderr, timedOut });
    };
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      // Something outside the group (a monitor) may still hold our pipes: do not wait.
      setTimeout(() => finish(null, true), 500);
    }, opts.timeout ?? 60_000);
    child.on('close', (code) => finish(code, false));
  });
}

/** Wraps a command line to run under script(1): the CLI gets a real terminal (a pty of
 * the host's devpts). Its $ and " are left for script's shell to expand. */
function tty(inner: string): string {
  return `script -qec "${inner.replace(/[\\"$`]/g, '\\$&')}" /dev/null`;
}

// The CLI's fds: stdin a host file or directory ($IN), fd 5 a host directory; stdout and
// stderr host files ($OUT, $ERR: where the container's output lands for attached rows).
const IN = '< "$IN" 5< "$DIR"';
const OUTS = '> "$OUT" 2> "$ERR"';
// Detached rows: the CLI's own output goes to $CLI; the container's, read back with
// `hutch logs`, to $OUT/$ERR; the container's status is the script's.
const DETACHED_TAIL = `
code=$($H wait "$N") || exit 91
$H logs "$N" > "$OUT" 2> "$ERR"
$H rm "$N" > /dev/null || exit 92
exit "$code"`;
const CREATE = '$H create --name "$N" host sh -c "$C" > "$CLI" 2>&1 || exit 89\n';
const ATTACHED_RM = '; code=$?\n$H rm "$N" > /dev/null || exit 92\nexit $code';

interface Entry {
  name: string;
  /** The CLI runs under script(1). */
  tty?: boolean;
  /** The CLI's stdin must be the terminal (-it): no host file can be it. */
  stdinIsTerminal?: boolean;
  /** The command's output and status are written inside the container (exec -d):
   * $C is wrapped so, and its status is the `EXIT n` line. */
  statusInOutput?: boolean;
  /** A host shell script running "$C" in a container through this entry point (a
   * container named $N if it makes one) with the CLI's fds as above. */
  sh: string;
}

const ENTRIES: Entry[] = [
  { name: 'run', sh: `$H run --rm host sh -c "$C" ${IN} ${OUTS}` },
  { name: 'run -i', sh: `$H run --rm -i host sh -c "$C" ${IN} ${OUTS}` },
  // -t: stdin a host file, stdout/stderr the terminal (script's output is $OUT).
  { name: 'run -t', tty: true, sh: `${tty(`$H run --rm -t host sh -c "$C" ${IN}`)} ${OUTS}` },
  // -it: stdin the terminal, stdout/stderr host files.
  { name: 'run -it', tty: true, stdinIsTerminal: true, sh: tty(`$H run --rm -it host sh -c "$C" 5< "$DIR" ${OUTS}`) },
  { name: 'run -d', sh: `$H run -d --name "$N" host sh -c "$C" ${IN} > "$CLI" 2>&1 || exit 90${DETACHED_TAIL}` },
  { name: 'run -di', sh: `$H run -di --name "$N" host sh -c "$C" ${IN} > "$CLI" 2>&1 || exit 90${DETACHED_TAIL}` },
  { name: 'run -dt', sh: `$H run -dt --name "$N" host sh -c "$C" ${IN} > "$CLI" 2>&1 || exit 90${DETACHED_TAIL}` },
  { name: 'create + start', sh: `${CREATE}$H start "$N" ${IN} >> "$CLI" 2>&1 || exit 90${DETACHED_TAIL}` },
  { name: 'start -a', sh: `${CREATE}$H start -a "$N" ${IN} ${OUTS}${ATTACHED_RM}` },
  { name: 'start -ai', sh: `${CREATE}$H start -ai "$N" ${IN} ${OUTS}${ATTACHED_RM}` },
  { name: 'exec', sh: `$H exec "$BOX" sh -c "$C" ${IN} ${OUTS}` },
  { name: 'exec -i', sh: `$H exec -i "$BOX" sh -c "$C" ${IN} ${OUTS}` },
  { name: 'exec -t', tty: true, sh: `${tty(`$H exec -t "$BOX" sh -c "$C" ${IN}`)} ${OUTS}` },
  { name: 'exec -it', tty: true, stdinIsTerminal: true, sh: tty(`$H exec -it "$BOX" sh -c "$C" 5< "$DIR" ${OUTS}`) },
  {
    name: 'exec -d',
    statusInOutput: true,
    sh: `$H exec -d "$BOX" sh -c "$C" ${IN} > "$CLI" 2>&1 || exit 90
i=0
until $H exec "$BOX" test -e "/tmp/$N"; do i=$((i + 1)); [ $i -lt 150 ] || exit 91; sleep 0.1; done
$H exec "$BOX" sh -c 'cat "/tmp/$1"; rm -f "/tmp/$1"' sh "$N" ${OUTS} || exit 92`,
  },
];

interface RowResult {
  code: number | null;
  /** What the container's command wrote (stdout and stderr; \r and NULs of a pty removed). */
  out: string;
  /** Everything, for assertion messages. */
  diag: string;
}

/** Runs `cmd` (a sh -c script) in a container through `e`, the CLI's stdin being `stdin`. */
async function runRow(e: Entry, cmd: string, stdin: string): Promise<RowResult> {
  if (e.tty) assert.ok(HAVE_SCRIPT, "script(1) is missing (util-linux's, in Debian's bsdutils): the -t rows need it");
  const n = `esc-${RAND}-${++seq}`;
  const f = (s: string) => path.join(T, 'o', `${n}.${s}`);
  // exec -d: nobody reads the command's output or status; it leaves them in a file of
  // the container's, written through pipes ($(…)) so no fd of the listing is that file.
  const c = e.statusInOutput
    ? `r=$( (${cmd}) 2>&1 ); rc=$?; printf '%s\\nEXIT %s\\n' "$r" "$rc" > /tmp/${n}.tmp && mv /tmp/${n}.tmp /tmp/${n}`
    : cmd;
  // Under script(1), our stdin stays open: at its EOF script types an EOF at the
  // terminal, which the container's pty would echo into the output.
  const r = await hostSh(e.sh, { C: c, N: n, IN: stdin, OUT: f('out'), ERR: f('err'), CLI: f('cli') }, { stdin: e.tty ? 'open' : '' });
  const read = (s: string) => (fs.existsSync(f(s)) ? fs.readFileSync(f(s), 'utf8') : '');
  const clean = (s: string) => s.replace(/\r/g, '').replace(/\0/g, '');
  let out = clean(read('out') + read('err'));
  let code = r.code;
  if (e.statusInOutput && code === 0) {
    const m = /\nEXIT (\d+)\n?$/.exec(out);
    code = m ? Number(m[1]) : null;
    out = m ? out.slice(0, m.index + 1) : out;
  }
  const diag = `[${e.name}] exit ${r.code}${r.timedOut ? ' (timed out)' : ''}\n--- container output\n${out}\n--- cli\n${read('cli')}\n--- sh stdout\n${clean(r.stdout)}\n--- sh stderr\n${r.stderr}`;
  for (const s of ['out', 'err', 'cli']) fs.rmSync(f(s), { force: true });
  return { code, out, diag };
}

/** A fresh read-only host file with a distinctive name, "original\n". */
function victim(): string {
  const p = path.join(T, `victim-${RAND}-${++seq}`);
  fs.writeFileSync(p, 'original\n');
  fs.chmodSync(p, 0o444);
  return p;
}

// Lists, for every process in the container: its cwd, and each fd's target and what
// it is (stat -L: type, major:minor, st_dev), then the st_dev of the container's own
// devpts. The shell's own pid is SELF (so the listing is known not to be empty).
const LISTER = `echo "SELF $$"
for p in /proc/[0-9]*; do
  pid=\${p#/proc/}
  c=$(readlink "$p/cwd") && echo "CWD $pid $c"
  for f in "$p"/fd/*; do
    [ -L "$f" ] || continue
    t=$(readlink "$f") || continue
    k=$(stat -L -c '%F|%t:%T|%d' "$f" 2>/dev/null) || k='gone||'
    echo "FD $pid \${f##*/} $t|$k"
  done
done
echo "PTS $(stat -c %d /dev/pts/ptmx)"
echo END`;

interface Fd {
  pid: string;
  fd: string;
  target: string;
  kind: string;
  dev: string;
  stDev: string;
}

function parseListing(out: string) {
  const fds: Fd[] = [];
  const cwds: { pid: string; cwd: string }[] = [];
  let self = '';
  let pts = '';
  for (const line of out.split('\n')) {
    const w = line.split(' ');
    if (w[0] === 'SELF') self = w[1];
    else if (w[0] === 'PTS') pts = w[1];
    else if (w[0] === 'CWD') cwds.push({ pid: w[1], cwd: w.slice(2).join(' ') });
    else if (w[0] === 'FD') {
      const rest = w.slice(3).join(' ').split('|');
      const [kind, dev, stDev] = rest.slice(-3);
      if (kind === 'gone') continue; // closed while we looked
      fds.push({ pid: w[1], fd: w[2], target: rest.slice(0, -3).join('|'), kind, dev, stDev });
    }
  }
  return { fds, cwds, self, pts, complete: /^END$/m.test(out) };
}

/** Why this fd may not be in a container, or null if it may. */
function illegit(f: Fd, pts: string): string | null {
  if (f.kind === 'fifo' && /^pipe:\[\d+\]$/.test(f.target)) return null;
  // The container's own /dev/null (char 1:3), opened inside it: one opened before
  // pivot_root would read back as "/null".
  if (f.kind === 'character special file' && f.dev === '1:3' && f.target === '/dev/null') return null;
  // The container's own pty: on the devpts mounted in it, not the host's (script's).
  if (f.kind === 'character special file' && /^\/dev\/pts\/\d+$/.test(f.target) && f.dev.startsWith('88:')) {
    return f.stDev === pts ? null : `a pty of another devpts (st_dev ${f.stDev}, the container's is ${pts}): the host's terminal`;
  }
  return 'not a pipe, the container pty or /dev/null';
}

for (const e of ENTRIES) {
  test(`${e.name}: every fd in the container is a pipe, its own pty or /dev/null; never a host file, directory or socket`, { timeout: 120_000 }, async () => {
    const v = victim();
    const r = await runRow(e, LISTER, e.stdinIsTerminal ? '' : v);
    assert.equal(r.code, 0, r.diag);
    const l = parseListing(r.out);
    assert.ok(l.complete && l.self && l.pts, `listing complete\n${r.diag}`);
    const own = l.fds.filter((f) => f.pid === l.self).map((f) => f.fd);
    for (const fd of ['0', '1', '2']) assert.ok(own.includes(fd), `the command's fd ${fd} was listed\n${r.diag}`);
    if (e.name.startsWith('exec')) assert.ok(l.fds.some((f) => f.pid === '1'), `pid 1 (the container's init) was listed too\n${r.diag}`);
    const bad = l.fds.map((f) => ({ f, why: illegit(f, l.pts) })).filter((x) => x.why);
    assert.deepEqual(bad.map((x) => `pid ${x.f.pid} fd ${x.f.fd} -> ${x.f.target} (${x.f.kind} ${x.f.dev}): ${x.why}`), [], r.diag);
    assert.ok(!r.out.includes(path.basename(T)), `no path of the host's temp dir shows inside\n${r.diag}`);
    for (const c of l.cwds) assert.equal(c.cwd, '/', `pid ${c.pid}'s cwd is the container's /\n${r.diag}`);
    assert.equal(fs.readFileSync(v, 'utf8'), 'original\n');
  });

  if (e.stdinIsTerminal) continue; // the CLI's stdin is the terminal: no host file to aim at

  test(`${e.name}: echo PWNED > /proc/self/fd/0 leaves the host file given as stdin as it was`, { timeout: 120_000 }, async () => {
    const v = victim();
    const r = await runRow(e, 'echo PWNED > /proc/self/fd/0 && echo wrote', v);
    assert.equal(fs.readFileSync(v, 'utf8'), 'original\n', `the host file was written through the container's fd 0\n${r.diag}`);
    assert.equal(fs.statSync(v).mode & 0o777, 0o444);
    // What fd 0 is inside (a pipe, the pty, /dev/null) takes the write.
    assert.equal(r.code, 0, r.diag);
    assert.match(r.out, /^wrote$/m, r.diag);
  });

  test(`${e.name}: cd -P /proc/self/fd/0 with a host directory as stdin does not reach the host's directories`, { timeout: 120_000 }, async () => {
    const walk = `cd -P /proc/self/fd/0 2>/dev/null || { echo NOTDIR; exit 3; }; pwd; cd -P ../.. && ls -a; cat ${MARKER}`;
    const r = await runRow(e, walk, DIR);
    assert.ok(!r.out.includes(MARKER) && !r.out.includes(`marker-content-${RAND}`), `the container listed or read the host's ${T}\n${r.diag}`);
    assert.equal(r.code, 3, `fd 0 is not a directory inside\n${r.diag}`);
    assert.match(r.out, /^NOTDIR$/m, r.diag);
  });
}

test(
  "a container's /dev/null stdin is its own, opened inside it (not the host's /dev/null, opened before pivot_root: it would read back as /null)",
  async () => {
    const r = await runRow(ENTRIES[0], 'readlink /proc/self/fd/0', victim());
    assert.equal(r.code, 0, r.diag);
    assert.equal(r.out.trim(), '/dev/null', r.diag);
  },
);

// stdin still arrives where it is asked for, and only there.

test('echo hello | hutch run -i host cat prints hello; a large input arrives whole and the status is kept', { timeout: 120_000 }, async () => {
  const r = await hostSh('echo hello | $H run --rm -i host cat');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello\n');
  const big = await hostSh("seq 1 200000 | $H run --rm -i host sh -c 'wc -l; exit 7'");
  assert.equal(big.code, 7, big.stderr);
  assert.equal(big.stdout.trim(), '200000');
});

test('echo hello | hutch exec -i C cat prints hello, and the status is kept', { timeout: 120_000 }, async () => {
  const r = await hostSh('echo hello | $H exec -i "$BOX" cat');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'hello\n');
  const s = await hostSh(`echo hello | $H exec -i "$BOX" sh -c 'cat; exit 5'`);
  assert.equal(s.code, 5, s.stderr);
  assert.equal(s.stdout, 'hello\n');
});

test('echo hello | hutch start -ai C prints hello', { timeout: 120_000 }, async () => {
  const n = `esc-${RAND}-${++seq}`;
  const r = await hostSh(`$H create --name "$N" host sh -c 'cat; exit 4' > /dev/null || exit 89
echo hello | $H start -ai "$N"; code=$?
$H rm "$N" > /dev/null || exit 92
exit $code`, { N: n });
  assert.equal(r.code, 4, r.stderr);
  assert.equal(r.stdout, 'hello\n');
});

test('hutch exec C cat (no -i) reads EOF at once although the CLI\'s stdin is an open pipe', { timeout: 120_000 }, async () => {
  const r = await hostSh('$H exec "$BOX" cat; echo "status $?"', {}, { stdin: 'open', timeout: 20_000 });
  assert.ok(!r.timedOut, `cat read the CLI's open stdin instead of /dev/null\n${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'status 0\n');
});

test('hutch run host cat (no -i) reads EOF at once although the CLI\'s stdin is an open pipe', { timeout: 120_000 }, async () => {
  const r = await hostSh('$H run --rm host cat; echo "status $?"', {}, { stdin: 'open', timeout: 20_000 });
  assert.ok(!r.timedOut, `cat read the CLI's open stdin instead of /dev/null\n${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'status 0\n');
});
