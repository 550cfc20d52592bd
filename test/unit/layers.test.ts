// The layers do not cross: src/engine knows neither front end, and the dashboard
// (src/ui) does not reach into the command line (src/cli). The CLI may load the
// dashboard (it opens it), never the other way round. Checked by reading every
// import, export-from and dynamic import() of the sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The relative modules a file imports, as paths under src/ ("cli/args.js"). */
function importsOf(file: string, text = fs.readFileSync(file, 'utf8')): string[] {
  const specs = new Set<string>();
  const re = /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) specs.add(m[1] ?? m[2] ?? m[3]);
  return [...specs].filter((s) => s.startsWith('.')).map((s) => path.relative(SRC, path.resolve(path.dirname(file), s)));
}

function crossings(layer: string, forbidden: string[]): string[] {
  const out: string[] = [];
  for (const file of sources(path.join(SRC, layer))) {
    for (const target of importsOf(file)) {
      const top = target.split(path.sep)[0];
      if (forbidden.includes(top)) out.push(`${path.relative(SRC, file)} imports ${target}`);
    }
  }
  return out;
}

test('the import scanner sees every form of import', () => {
  const file = path.join(SRC, 'ui', 'x.ts');
  const text = [
    "import { a } from '../cli/a.js';",
    "import type { B } from '../cli/b.js';",
    "import {\n  c,\n  d,\n} from '../cli/c.js';",
    "export { e } from '../cli/e.js';",
    "export * from '../cli/f.js';",
    "const g = await import('../cli/g.js');",
    "import '../cli/h.js';",
    "import { i } from 'ink';",
  ].join('\n');
  assert.deepEqual(importsOf(file, text), ['a', 'b', 'c', 'e', 'f', 'g', 'h'].map((n) => path.join('cli', `${n}.js`)));
});

test('src/ui imports nothing from src/cli', () => {
  assert.deepEqual(crossings('ui', ['cli']), []);
});

test('src/engine imports nothing from src/ui or src/cli', () => {
  assert.deepEqual(crossings('engine', ['ui', 'cli']), []);
});
