// Bundles the TypeScript sources into dist/ with esbuild.
//
// dist/hutch.cjs: the CLI and the engine, as CommonJS. Node 20 loads a CommonJS
// main without starting its ESM loader, which alone costs ~6 ms of every command
// (measured on `hutch version`), and one file beats hundreds of modules.
// dist/first-frame.cjs: the dashboard's first frame, drawn without Ink or React
// (src/ui/first-frame.ts), required by the CLI when the dashboard opens. CommonJS
// too: it comes before the ESM loader is needed (~12 ms of its own to start here).
// dist/dashboard.mjs: the Ink dashboard, as ESM (ink 6 is ESM-only), imported by
// the CLI after the first frame.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

// The CLI's `import('../ui/main.js')` becomes `import('./dashboard.mjs')`, and its
// `import('../ui/first-frame.js')` a require() of ./first-frame.cjs (kept out of
// hutch.cjs: no other command needs it).
const dashboardExternal = {
  name: 'dashboard-external',
  setup(b) {
    b.onResolve({ filter: /\/ui\/main\.js$/ }, () => ({ path: './dashboard.mjs', external: true }));
    b.onResolve({ filter: /\/ui\/first-frame\.js$/ }, () => ({ path: 'first-frame', namespace: 'first-frame-cjs' }));
    b.onResolve({ filter: /^\.\/first-frame\.cjs$/ }, () => ({ path: './first-frame.cjs', external: true }));
    b.onLoad({ filter: /.*/, namespace: 'first-frame-cjs' }, () => ({ contents: "module.exports = require('./first-frame.cjs');", loader: 'js' }));
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

// The dashboard's first frame (see the top). Ink's bundle below has its own copy of
// what both use (the controller, the views): the first frame's controller is handed
// over to it as an object, as the engine is.
await build({
  ...common,
  entryPoints: { 'first-frame': 'src/ui/first-frame.ts' },
  outfile: 'dist/first-frame.cjs',
  format: 'cjs',
  plugins: [builtinsOnce],
  minifyWhitespace: true,
  minifySyntax: true,
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
// and evaluates one by one (~400 ms of the dashboard's startup here, issue 11 item 18);
// one file takes a fraction of that. React's choice of its production or development
// build still happens as it loads (src/ui/load.ts sets NODE_ENV first). Kept outside:
// systeminformation (imported when the host facts are read, after the first frame),
// the addon, and what Ink imports only with DEV=true (react-devtools-core, ws). A
// require() of a built-in inside a bundled CommonJS package goes through createRequire.

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

// The Output patch (src/ui/ink-output-cache.ts) must change the Output class the
// bundled Ink renders with, not the installed package's copy. It imports
// 'hutch:ink-internals', made here: a module that imports ink's build/output.js and the
// three packages output.js imports, each resolved exactly as esbuild resolves ink's own
// imports (from ink's build/ folder), so esbuild bundles each file once and the patch's
// Output is the one in Ink's renderer. It carries the versions of the files it bundles
// for the patch's guard. test/unit/dashboard-bundle.test.ts renders with the built
// bundle's Ink and checks the frames go through the patch.
const inkInternals = {
  name: 'ink-internals',
  setup(b) {
    b.onResolve({ filter: /^hutch:ink-internals$/ }, () => ({ path: 'ink-internals', namespace: 'hutch-ink-internals' }));
    b.onLoad({ filter: /.*/, namespace: 'hutch-ink-internals' }, async () => {
      const resolve = async (spec, resolveDir) => {
        const r = await b.resolve(spec, { resolveDir, kind: 'import-statement' });
        if (r.errors.length > 0) throw new Error(`ink-internals: cannot resolve ${spec} from ${resolveDir}`);
        return r.path;
      };
      const version = (pkgJson) => JSON.parse(readFileSync(pkgJson, 'utf8')).version;
      const inkIndex = await resolve('ink', fileURLToPath(new URL('../src/ui/', import.meta.url)));
      const inkBuild = dirname(inkIndex);
      const output = await resolve('./output.js', inkBuild);
      const tokenize = await resolve('@alcalzone/ansi-tokenize', inkBuild);
      const stringWidth = await resolve('string-width', inkBuild);
      const sliceAnsi = await resolve('slice-ansi', inkBuild);
      const tokenizePkg = await resolve('@alcalzone/ansi-tokenize/package.json', inkBuild);
      return {
        contents: `export { default as Output } from ${JSON.stringify(output)};
export { tokenize, styledCharsFromTokens, styledCharsToString } from ${JSON.stringify(tokenize)};
export { default as stringWidth } from ${JSON.stringify(stringWidth)};
export { default as sliceAnsi } from ${JSON.stringify(sliceAnsi)};
export const inkVersion = ${JSON.stringify(version(join(dirname(inkBuild), 'package.json')))};
export const tokenizeVersion = ${JSON.stringify(version(tokenizePkg))};
`,
        loader: 'js',
        resolveDir: inkBuild,
        watchFiles: [output],
      };
    });
  },
};

// Yoga (Ink's layout engine) is WebAssembly embedded as a data: URL, which its
// Emscripten loader reads with fetch(): that loads Node's fetch (undici) and decodes
// ~100 KB of base64 through it, ~40 ms of the dashboard's startup here. Emscripten's
// own wasmBinary option skips the fetch: yoga-layout's index.js is built to pass it
// the same bytes, decoded from the same data: URL, read here from the file (the
// base64 is then in the bundle twice, ~0.1 MB). When the files are not as expected,
// the package's index.js is bundled as it is.
const yogaWasmBinary = {
  name: 'yoga-wasm-binary',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/ }, (a) => {
      const src = readFileSync(a.path, 'utf8');
      const binFile = join(dirname(a.path), '../binaries/yoga-wasm-base64-esm.js');
      const m = /"data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/.exec(readFileSync(binFile, 'utf8'));
      const call = 'wrapAssembly(await loadYoga())';
      if (!m || !src.includes(call)) {
        console.warn('build: yoga-layout is not as expected; its wasm loads through fetch()');
        return undefined;
      }
      return {
        contents: src.replace(call, `wrapAssembly(await loadYoga({ wasmBinary: Buffer.from(${JSON.stringify(m[1])}, 'base64') }))`),
        loader: 'js',
      };
    });
  },
};

await build({
  ...common,
  packages: undefined,
  plugins: [inkDevtoolsAtRunTime, reactDevAtRunTime, inkInternals, yogaWasmBinary],
  external: ['systeminformation', '@hutch/native'],
  entryPoints: { dashboard: 'src/ui/main.ts' },
  outfile: 'dist/dashboard.mjs',
  format: 'esm',
  // Without blanks and with shorter syntax (names kept, for stack traces): 1.2 → 0.86 MB,
  // less to read and parse at each start.
  minifyWhitespace: true,
  minifySyntax: true,
  banner: { js: 'import { createRequire as __hutch_createRequire } from "node:module"; const require = __hutch_createRequire(import.meta.url);' },
});
