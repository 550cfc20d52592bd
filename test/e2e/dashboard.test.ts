// The dashboard end to end: `node bin/hutch.cjs` in a real terminal (tmux) against
// the real engine. Each run gets its own tmux server (-L hutch-test-<random>), state
// root and cgroup parent, and removes all of them with every container it made.
// Needs root, tmux and a built dist/ (npm test builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HUTCH_THEN_STATUS, dashboardDrawn, filter, missing, sandboxEnv, withSandbox } from './tmux.js';

const skip = missing('dashboard e2e');

function cpuOf(s: string, name: string): number {
  const m = new RegExp(`${name} .*?running \\d+\\w +(\\d+(?:\\.\\d)?)`).exec(s);
  return m ? Number(m[1]) : -1;
}

async function scenario(width: number, height: number, handoffs: number): Promise<void> {
  await withSandbox(async (tm, sb) => {
    tm.start({ command: HUTCH_THEN_STATUS, env: sandboxEnv(sb), width, height });
    await tm.until('the empty state', 'No containers yet.');
    tm.keys('D');
    await tm.until('the demo set', /demo: started demo-cpu, demo-mem, demo-idle/);

    // The busy loop shows above 50 % of a core.
    await tm.until('demo-cpu above 50 %', (s) => cpuOf(s, 'demo-cpu') > 50, 20_000);

    // Stop it with the key: narrow the list to it first, so it is the selected row.
    await filter(tm, 'demo-cpu');
    tm.keys('a'); // show exited containers too, to see the state change
    tm.keys('x');
    // x asks first, as d does (one key to confirm).
    await tm.until('the stop question', /[Ss]top .*y\/N/);
    tm.keys('y');
    await tm.until('demo-cpu stopped', /demo-cpu .*exited/, 30_000);
    tm.keys('Escape'); // clears the filter
    await tm.until('all rows back', (s) => /demo-idle .*running/.test(s) && !s.includes('filter "'));

    // Shell hand-offs into demo-idle.
    const idle = (await sb.engine.list({ all: true })).find((c) => c.name === 'demo-idle');
    assert.ok(idle, 'demo-idle exists');
    const short = idle.id.slice(0, 12);
    await filter(tm, 'demo-idle');
    await tm.until('demo-idle selected', /› +demo-idle/);
    let showingAll = true;
    for (let i = 0; i < handoffs; i++) {
      tm.keys('e');
      await tm.until(`shell ${i + 1} banner`, 'hutch: shell in demo-idle');
      tm.type('hostname');
      tm.keys('Enter');
      await tm.until(`hostname ${i + 1}`, new RegExp(`^${short}$`, 'm'));
      tm.type('exit');
      tm.keys('Enter');
      const back = await tm.until(`dashboard back ${i + 1}`, (s) => dashboardDrawn(s) && s.includes('shell in demo-idle exited'));
      assert.match(back, /› +demo-idle/, 'same view, same selection');
      // The first key after coming back is acted on.
      tm.keys('a');
      showingAll = !showingAll;
      await tm.until(`first key after hand-off ${i + 1}`, showingAll ? 'showing exited containers' : 'hiding exited containers', 5000);
      assert.ok(dashboardDrawn(tm.screen()), `no blank screen after hand-off ${i + 1}`);
    }

    tm.keys('q');
    const end = await tm.until('hutch to exit', 'hutch exited: ');
    assert.match(end, /hutch exited: 0/);
    // The main screen is back: the alternate screen's rows are gone.
    assert.doesNotMatch(end, /\? help/);
  });
}

test('dashboard at 120×40: live CPU, stop with a key, 20 shell hand-offs', { skip, timeout: 240_000 }, async () => {
  await scenario(120, 40, 20);
});

test('dashboard at 80×24: the same with 5 hand-offs', { skip, timeout: 180_000 }, async () => {
  await scenario(80, 24, 5);
});
