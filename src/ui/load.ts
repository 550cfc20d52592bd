// Loads the dashboard module (./main.js) for the CLI, with the environment the
// Ink part must see as it loads. Bundled, '../ui/main.js' is dist/dashboard.mjs:
// one ESM file whose imports (React, Ink) are evaluated before any of its code
// runs, so main.ts's own importSession() comes too late there: React picks its
// development build (about twice the work per frame) when NODE_ENV is unset as
// it loads, and Ink decides from CI, as it loads, to draw nothing live. This
// module has no imports and is bundled into the CLI, which runs it first.

type Env = Record<string, string | undefined>;

export async function loadDashboard(): Promise<typeof import('./main.js')> {
  const saved: Env = {};
  for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
  // Nobody debugs React in a running dashboard: its production build unless asked otherwise.
  process.env.NODE_ENV ??= 'production';
  try {
    // The path ends in /ui/main.js: scripts/build.mjs points it at dist/dashboard.mjs.
    return await import('../ui/main.js');
  } finally {
    // Containers and hooks started from the dashboard see CI as it was.
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  }
}
