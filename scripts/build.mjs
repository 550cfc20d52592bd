// Bundles the TypeScript sources into dist/ with esbuild.
//
// dist/hutch.cjs: the CLI and the engine, as CommonJS. Node 20 loads a CommonJS
// main without starting its ESM loader, which alone costs ~6 ms of every command
// (measured on `hutch version`), and one file beats hundreds of modules.
// dist/dashboard.mjs: the Ink dashboard, as ESM (ink 6 is ESM-only), imported by
// the CLI only when the dashboard opens.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names used to carry content hashes: start clean so stale files never pile up.
rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  jsx: 'automatic',
  logLevel: 'warning',
};

// The CLI's `import('../ui/main.js')` becomes `import('./dashboard.mjs')`.
const dashboardExternal = {
  name: 'dashboard-external',
  setup(b) {
    b.onResolve({ filter: /\/ui\/main\.js$/ }, () => ({ path: './dashboard.mjs', external: true }));
  },
};

// esbuild gives every `import fs from 'node:fs'` its own interop copy of the
// module's properties (__toESM): 40 copies cost ~1.5 ms at start. Route each
// built-in through one shim module instead, so it is wrapped once.
const builtinsOnce = {
  name: 'builtins-once',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) =>
      a.namespace === 'builtin' ? { path: a.path, external: true } : { path: a.path, namespace: 'builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => ({
      contents: `export * from ${JSON.stringify(a.path)}; export { default } from ${JSON.stringify(a.path)};`,
      loader: 'js',
    }));
  },
};

await build({
  ...common,
  entryPoints: { hutch: 'src/cli/main.ts' },
  outfile: 'dist/hutch.cjs',
  format: 'cjs',
  plugins: [dashboardExternal, builtinsOnce],
  // import.meta.url (used to find the addon) for CommonJS.
  define: { 'import.meta.url': '__hutch_module_url' },
  banner: { js: 'var __hutch_module_url = require("node:url").pathToFileURL(__filename).href;' },
});

// The layer-extraction worker, started by extractLayer (src/engine/images/extract/host.ts)
// as a worker thread from dist/extract-worker.cjs.
await build({
  ...common,
  entryPoints: { 'extract-worker': 'src/engine/images/extract/worker.ts' },
  outfile: 'dist/extract-worker.cjs',
  format: 'cjs',
  plugins: [builtinsOnce],
  define: { 'import.meta.url': '__hutch_module_url' },
  banner: { js: 'var __hutch_module_url = require("node:url").pathToFileURL(__filename).href;' },
});

await build({
  ...common,
  entryPoints: { dashboard: 'src/ui/main.ts' },
  outfile: 'dist/dashboard.mjs',
  format: 'esm',
});
