// Image rows: container start→exit from a 5-layer image (an overlay of 5 snapshot
// lowerdirs linked from the bundle) against the built-in host image (1 lowerdir plus
// read-only binds of the host's /usr, /etc, /lib*), paired in one run; and the time
// `load` takes for that image's archive, for scale.
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../src/engine/index.js';
import { buildImage, busyboxLayer, ociArchive } from '../test/integration/images-fixtures.js';
import { dir, file } from '../test/support/tar-writer.js';
import { median, paired, row } from './stats.js';

export async function imageRows(engine: Engine, root: string, n: number): Promise<string[]> {
  const layers = [busyboxLayer(), ...[1, 2, 3, 4].map((i) => ({ gzip: i % 2 === 0, tar: [dir(`layer${i}`), file(`layer${i}/data`, `layer ${i}\n`.repeat(1000))] }))];
  const archive = path.join(root, 'bench-5-layers.tar');
  fs.writeFileSync(archive, ociArchive([{ built: buildImage({ layers }), name: 'docker.io/library/bench5:latest' }]));
  const size = fs.statSync(archive).size;
  const loads: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    await engine.loadImages(archive);
    loads.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (i < 4) await engine.removeImage('bench5');
  }
  const startExit = (image: string) => async () => {
    const c = await engine.create({ image, cmd: ['/bin/true'] });
    const t0 = process.hrtime.bigint();
    await engine.start(c.id);
    const r = await engine.wait(c.id);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    await engine.remove(c.id);
    if (r.exitCode !== 0) throw new Error(`${image}: /bin/true exited ${r.exitCode}`);
    return ms;
  };
  // paired() times the whole call; time start→exit only, as the engine row does.
  const res = { a: [] as number[], b: [] as number[] };
  const five = startExit('bench5');
  const host = startExit('host');
  await paired(n, 3, async () => void res.a.push(await five()), async () => void res.b.push(await host()));
  const skip = res.a.length - n;
  const r = { a: res.a.slice(skip), b: res.b.slice(skip) };
  const out = [
    row('engine: start→exit true, 5 layers', 'same, host image', r),
    `${`load: 5-layer archive (${(size / 1e6).toFixed(1)} MB)`.padEnd(34)} ${median(loads).toFixed(2).padStart(8)} ms   (median of ${loads.length}; layers unpacked every time)`,
  ];
  await engine.removeImage('bench5');
  fs.rmSync(archive, { force: true });
  return out;
}
