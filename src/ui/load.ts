// Loads the dashboard module (./main.js) for the CLI, with the environment the
// Ink part must see as it loads. Bundled, '../ui/main.js' is dist/dashboard.mjs:
// one ESM file whose imports (React, Ink) are evaluated before any of its code
// runs, so main.ts's own importSession() comes too late there: React picks its
// development build (about twice the work per frame) when NODE_ENV is unset as
// it loads, and Ink decides from CI, as it loads, to draw nothing live. This
// module has no imports and is bundled into the CLI, which runs it first.

type Env = Record<string, string | undefined>;

/** Runs `load` (an import of Ink or of what imports it) with the environment
 * Ink and React must see as they load: CI unset (Ink draws nothing live when
 * set) and NODE_ENV defaulting to production (nobody debugs React in a running
 * dashboard). CI is put back afterwards: containers and hooks started from the
 * dashboard see it as it was. */
export async function importForInk<T>(load: () => Promise<T>): Promise<T> {
  const saved: Env = {};
  for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
  process.env.NODE_ENV ??= 'production';
  try {
    return await load();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  }
}

export function loadDashboard(): Promise<typeof import('./main.js')> {
  // The path ends in /ui/main.js: scripts/build.mjs points it at dist/dashboard.mjs.
  return importForInk(() => import('../ui/main.js'));
}
