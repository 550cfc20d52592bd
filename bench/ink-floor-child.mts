// Context for the dashboard frame-time row: what Ink 6.8 itself costs to redraw a
// full 160-column screen of coloured lines, with none of hutch's code. Ink builds
// every cell of the frame from scratch on each render (no cache across frames), so
// this is the floor under any Ink dashboard of that size on this machine.
// With the argument "patched": the same redraw through hutch's Output cache
// (src/ui/ink-output-cache.ts), every line still changing every frame.
import { PassThrough, Writable } from 'node:stream';

delete process.env.CI;
process.env.NODE_ENV ??= 'production';
const React = await import('react');
const { render, Box, Text } = await import('ink');
if (process.argv[2] === 'patched') {
  const { installOutputCache, outputCacheStatus } = await import('../src/ui/ink-output-cache.js');
  if (!(await installOutputCache())) throw new Error(`Output cache not applied: ${outputCacheStatus()}`);
}
const h = React.createElement;

class FakeTty extends Writable {
  isTTY = true;
  columns = 160;
  rows = 50;
  override _write(_c: unknown, _e: unknown, cb: () => void) {
    cb();
  }
}
function fakeStdin() {
  const s = new PassThrough() as unknown as NodeJS.ReadStream & { setRawMode(): unknown };
  Object.assign(s, { isTTY: true, setRawMode: () => s, ref: () => s, unref: () => s });
  return s;
}
const line = (i: number, t: number) => {
  let s = '';
  for (let k = 0; k < 10; k++) s += `\x1b[3${k % 7}m${`c${i}.${t}.${k}`.padEnd(15, ' ')}\x1b[39m`;
  return s;
};
const App = ({ t }: { t: number }) =>
  h(Box, { flexDirection: 'column', height: 49 }, ...Array.from({ length: 48 }, (_, i) => h(Text, { key: i }, line(i, t))));
const inst = render(h(App, { t: 0 }), { stdout: new FakeTty() as unknown as NodeJS.WriteStream, stdin: fakeStdin(), patchConsole: false, exitOnCtrlC: false, debug: true });
const times: number[] = [];
for (let t = 1; t <= 60; t++) {
  const a = performance.now();
  inst.rerender(h(App, { t }));
  if (t > 10) times.push(performance.now() - a);
}
inst.unmount();
times.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ p50: times[times.length >> 1], p95: times[Math.ceil(times.length * 0.95) - 1] }) + '\n');
