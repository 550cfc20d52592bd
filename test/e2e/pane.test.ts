// The shell pane (`E`) end to end: the real dashboard in tmux against the real engine.
// The pane shows a command's output while the CPU chart beside it keeps moving; top
// and vi draw in it (Esc goes to vi); Shift+PgUp scrolls back through `seq`'s output
// and typing returns;
// resizing the terminal resizes the shell's pty (`stty size` inside agrees), beside
// on a wide terminal and below on a narrow one; Ctrl-] moves the keys; detaching
// and `E` again keep the shell's history; ending it removes its socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { HUTCH_THEN_STATUS, filter, missing, sandboxEnv, withSandbox, type Tmux } from './tmux.js';

const skip = missing('shell pane e2e');

/** The screen's left `n` columns (the detail view's charts when the pane is beside). */
const left = (s: string, n: number, rows: number) =>
  s
    .split('\n')
    .slice(1, rows)
    .map((l) => Array.from(l).slice(0, n).join(''))
    .join('\n');

/** Types a command line into the focused pane. */
function run(tm: Tmux, line: string): void {
  tm.type(line);
  tm.keys('Enter');
}

test('shell pane: output beside live charts, resize, focus, detach and reattach with history, end', { skip, timeout: 180_000 }, async () => {
  await withSandbox(async (tm, sb) => {
    const c = await sb.engine.create({ image: 'host', name: 'busy', cpus: 0.5, cmd: ['sh', '-c', 'while :; do :; done'] });
    await sb.engine.start(c.id);
    const bundle = path.join(sb.root, 'containers', c.id);
    const sockets = () => fs.readdirSync(bundle).filter((n) => /^exec-\d+\.sock$/.test(n));

    tm.start({ command: HUTCH_THEN_STATUS, env: sandboxEnv(sb), width: 160, height: 40 });
    await tm.until('the table', /busy +.*running/);
    await filter(tm, 'busy');
    tm.keys('E');
    await tm.until('the pane, focused', /shell exec-\d+ in busy — keys go to the shell/);
    await tm.until('the footer while the pane has the keys', /\^\] dashboard/);
    run(tm, 'echo "pane-$((6*7))"');
    const shown = await tm.until('the output in the pane', /│.*pane-42/);
    assert.match(shown, /CPU \d/, 'the charts are beside it');
    assert.equal(sockets().length, 1, 'one shell socket in the container directory');

    // Output keeps coming in the pane while the CPU chart beside it keeps moving.
    run(tm, 'for i in $(seq 1 40); do echo "tick-$i"; sleep 0.25; done');
    await tm.until('ticks', /│.*tick-3\b/);
    const charts1 = left(tm.screen(), 78, 20);
    const tick1 = Number(/tick-(\d+)/g.exec(tm.screen().split('\n').reverse().join('\n'))?.[1]);
    await tm.until('the chart moved', (s) => left(s, 78, 20) !== charts1, 10_000);
    const s2 = await tm.until('more ticks', (s) => {
      const m = [...s.matchAll(/tick-(\d+)/g)].map((x) => Number(x[1]));
      return m.length > 0 && Math.max(...m) >= tick1 + 4;
    });
    assert.match(s2, /│/, 'still beside the charts');
    await tm.until('the loop done', /│.*tick-40/, 20_000);

    // The scroll-back: Shift+PgUp shows the lines that scrolled off, a key typed returns.
    const numbers = (s: string) => [...s.matchAll(/│(\d+) *$/gm)].map((m) => Number(m[1]));
    run(tm, 'clear; seq 1 300');
    await tm.until('seq in the pane', (s) => numbers(s).includes(300));
    tm.keys('S-PPage');
    const back = await tm.until('scrolled back', (s) => /scrolled back \d+ lines · Shift\+PgDn/.test(s) && !numbers(s).includes(300));
    assert.ok(Math.min(...numbers(back)) < 300 - 38, `older numbers than the live screen holds: ${numbers(back).join(' ')}`);
    tm.keys('S-Up');
    await tm.until('a line further back', (s) => Math.min(...numbers(s)) === Math.min(...numbers(back)) - 1);
    tm.keys('S-NPage', 'S-NPage');
    await tm.until('down again: the live screen', (s) => numbers(s).includes(300) && /keys go to the shell/.test(s));
    tm.keys('S-PPage');
    await tm.until('scrolled back again', /scrolled back \d+ lines/);
    run(tm, 'echo "back-$((5*5))"');
    await tm.until('typing returned to the live screen', (s) => /│back-25/.test(s) && /keys go to the shell/.test(s));

    // Full-screen programs: top (alternate screen, q to quit) and vi (Esc, :wq).
    run(tm, 'top -d 0.5');
    await tm.until('top in the pane', (s) => /│top - /.test(s) && /│ *PID +USER/.test(s));
    tm.keys('q'); // top leaves its last screen (no alternate screen): the shell's prompt under it
    // Keys typed before top has gone are top's (it drops them as it exits): the prompt first.
    await tm.until('the prompt under top', /│root@[^│\n]*[#$] *$/m);
    run(tm, 'clear; echo "top-done"');
    await tm.until('top gone, the shell back', (s) => /│top-done/.test(s) && !/│ *PID +USER/.test(s));
    run(tm, 'vi /tmp/pane-vi.txt');
    await tm.until('vi in the pane', /│~\s*$/m);
    tm.type('ihello from vi');
    tm.keys('Escape');
    tm.type(':wq');
    tm.keys('Enter');
    await tm.until('vi gone', (s) => !/│~\s*$/m.test(s));
    run(tm, 'cat /tmp/pane-vi.txt; rm /tmp/pane-vi.txt');
    await tm.until('what vi wrote', /│hello from vi\s*$/m);

    // Resize the terminal: the pane's pty follows.
    tm.resize(130, 36);
    await new Promise((r) => setTimeout(r, 500));
    run(tm, 'clear; stty size');
    // 36 rows: 32 body rows, less the pane's title; 130 columns: (130 - 1) / 2.
    await tm.until('stty size at 130×36', /│31 64\s*$/m);
    tm.resize(100, 40);
    await new Promise((r) => setTimeout(r, 500));
    run(tm, 'clear; stty size');
    // Narrow: below the detail view, half of the 36 body rows, the full width.
    await tm.until('stty size at 100×40 (below)', /^17 100\s*$/m);

    // Ctrl-] gives the keys to the dashboard and back.
    tm.keys('C-]');
    await tm.until('the dashboard has the keys', (s) => /\^\] to type in the shell/.test(s) && /Esc back/.test(s));
    tm.keys('C-]');
    await tm.until('the pane has them again', /keys go to the shell/);
    run(tm, 'echo "again-$((7*7))"');
    await tm.until('typed after the focus came back', /again-49/);

    // Close: n detaches; the shell runs on; E reattaches and shows its history.
    tm.keys('C-]');
    await tm.until('dashboard keys', /\^\] to type in the shell/);
    tm.keys('Escape');
    await tm.until('the question', /y ends exec-\d+, n detaches/);
    tm.keys('n');
    await tm.until('detached', (s) => /runs on in busy: E reattaches/.test(s) && !/shell exec-\d+ in busy/.test(s));
    assert.equal(sockets().length, 1, 'the shell runs on');
    tm.keys('E');
    await tm.until('reattached with the history', (s) => /reattached to exec-\d+ in busy/.test(s) && /again-49/.test(s));
    run(tm, 'echo "still-$((8*8))"');
    await tm.until('the same shell', /still-64/);

    // Close: y ends the shell; its socket goes.
    tm.keys('C-]');
    tm.keys('Escape');
    await tm.until('the question again', /y ends exec-\d+/);
    tm.keys('y');
    await tm.until('ended', /ended exec-\d+ in busy/);
    for (let i = 0; i < 40 && sockets().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(sockets(), [], 'the socket is removed');
    tm.keys('q');
    await tm.until('hutch exits', 'hutch exited: 0');
  });
});
