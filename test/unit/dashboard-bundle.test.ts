// The built dashboard (dist/dashboard.mjs) bundles Ink: the Output patch
// (src/ui/ink-output-cache.ts) must change the Output class that bundled Ink
// renders with, not the installed ink package's copy (which the bundle does not
// use). Renders through the bundle's own Ink and counts the frames that went
// through the patched Output.get(). Needs `npm run build` first (npm test builds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InkOutput } from '../../src/ui/ink-output-cache.js';

const BUNDLE = path.resolve(import.meta.dirname, '../../dist/dashboard.mjs');

class Stdout extends EventEmitter {
  columns = 40;
  rows = 10;
  frames: string[] = [];
  write = (frame: string) => {
    this.frames.push(frame);
    return true;
  };
}
class Stdin extends EventEmitter {
  isTTY = true;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => null;
}

type Main = typeof import('../../src/ui/main.js');

test("dist/dashboard.mjs: the Output patch is on the Output class its bundled Ink renders with", async () => {
  assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} is missing: run npm run build`);
  const spec: string = pathToFileURL(BUNDLE).href;
  const main = (await import(spec)) as Main;
  const ink = await main.inkAsBundled();
  assert.equal(ink.status, 'active', 'the patch applied');
  assert.equal(ink.source, 'bundle', "the patch went to the bundle's Ink, not to the ink package");
  assert.ok(ink.patch);
  const proto = ink.patch.Output.prototype as InkOutput;
  const patched = proto.get;
  let viaPatch = 0;
  proto.get = function get(this: InkOutput) {
    viaPatch++;
    return patched.call(this);
  };
  try {
    const stdout = new Stdout();
    const app = ink.render(ink.createElement(ink.Text, null, 'hutch bundle probe'), {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: new Stdin() as unknown as NodeJS.ReadStream,
      stderr: new Stdout() as unknown as NodeJS.WriteStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    });
    app.rerender(ink.createElement(ink.Text, null, 'hutch bundle probe 2'));
    app.unmount();
    assert.ok(stdout.frames.some((f) => f.includes('hutch bundle probe 2')), `Ink drew: ${JSON.stringify(stdout.frames)}`);
    assert.ok(viaPatch >= 2, `every frame went through the patched Output.get() (${viaPatch} did)`);
  } finally {
    proto.get = patched;
  }
});

// The first frame (src/ui/first-frame.ts) is drawn before Ink and React load: its
// bundle, dist/first-frame.cjs, must hold neither, and the CLI must load it from there.
test('dist/first-frame.cjs: the first frame without Ink or React, required by the CLI', async () => {
  const file = path.resolve(import.meta.dirname, '../../dist/first-frame.cjs');
  assert.ok(fs.existsSync(file), `${file} is missing: run npm run build`);
  const text = fs.readFileSync(file, 'utf8');
  for (const marker of ['react.transitional.element', 'yoga-layout', 'ink/build', 'ansi-tokenize']) {
    assert.ok(!text.includes(marker), `dist/first-frame.cjs holds ${marker}`);
  }
  const cli = fs.readFileSync(path.resolve(import.meta.dirname, '../../dist/hutch.cjs'), 'utf8');
  assert.match(cli, /require\("\.\/first-frame\.cjs"\)|require\('\.\/first-frame\.cjs'\)/, 'hutch.cjs requires ./first-frame.cjs');
  const { createRequire } = await import('node:module');
  const ff = createRequire(import.meta.url)(file) as typeof import('../../src/ui/first-frame.js');
  assert.equal(typeof ff.openFirstFrame, 'function');
  assert.equal(ff.inkFrameText(['\x1b[1mhi\x1b[22m   '], 40, 2, 3), '\x1b[1mhi\x1b[22m\n\n');
});
