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

// Ink, React and their dependencies go into the bundle too: as packages, Ink alone is
// ~100 modules and es-toolkit/compat hundreds more, which Node's ESM loader resolves
// and evaluates one by one (~600 ms of the dashboard's startup here, issue 11 item 18);
// one file takes a fraction of that. React's choice of its production or development
// build still happens as it loads (src/ui/load.ts sets NODE_ENV first). Kept outside:
// systeminformation (imported when the host facts are read, after the first frame) and
// what Ink imports only with DEV=true (react-devtools-core, ws). A require() of a
// built-in inside a bundled CommonJS package goes through createRequire.
// Ink imports its devtools.js (which imports react-devtools-core and ws) only with
// DEV=true. Bundled, its static imports would be hoisted into the bundle's top:
// load Ink's own file at run time instead, from where the 'ink' package resolves.
const inkDevtoolsAtRunTime = {
  name: 'ink-devtools-at-run-time',
  setup(b) {
    b.onResolve({ filter: /^\.\/devtools\.js$/ }, (a) => (/[\\/]ink[\\/]build[\\/]/.test(a.importer) ? { path: 'ink-devtools', namespace: 'ink-devtools' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'ink-devtools' }, () => ({
      contents: `import { createRequire } from 'node:module'; import { pathToFileURL } from 'node:url';
await import(new URL('./devtools.js', pathToFileURL(createRequire(import.meta.url).resolve('ink'))).href);`,
      loader: 'js',
    }));
  },
};

// React's packages pick their production or development build as they load
// (process.env.NODE_ENV). The development builds (~0.8 MB, ~45 ms of every start to
// read and parse here) stay out of the bundle: with NODE_ENV=development they are
// required at run time from where the package resolves (and what they require, such
// as 'react', resolves there too, to the same files).
const reactDevAtRunTime = {
  name: 'react-development-at-run-time',
  setup(b) {
    b.onResolve({ filter: /^\.\/cjs\/.*\.development\.js$/ }, (a) => {
      const m = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(a.importer.slice(a.importer.lastIndexOf('node_modules') - 1));
      if (!m) return undefined;
      return { path: `${m[1].replace(/\\/g, '/')}/${a.path.slice(2)}`, namespace: 'react-development' };
    });
    b.onLoad({ filter: /.*/, namespace: 'react-development' }, (a) => {
      const pkg = a.path.slice(0, a.path.indexOf('/cjs/'));
      const file = a.path.slice(pkg.length + 1);
      return {
        contents: `const path = require('node:path');
module.exports = require(path.join(path.dirname(require.resolve(${JSON.stringify(pkg)})), ${JSON.stringify(file)}));`,
        loader: 'js',
      };
    });
  },
};

await build({
  ...common,
  packages: undefined,
  plugins: [inkDevtoolsAtRunTime, reactDevAtRunTime],
  external: ['systeminformation', '@hutch/native'],
  entryPoints: { dashboard: 'src/ui/main.ts' },
  outfile: 'dist/dashboard.mjs',
  format: 'esm',
  banner: { js: 'import { createRequire as __hutch_createRequire } from "node:module"; const require = __hutch_createRequire(import.meta.url);' },
});
