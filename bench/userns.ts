// User-namespace row of `npm run bench` (issue 14): start→exit of /bin/true from a
// 5-layer image with --userns=auto (its layers idmapped, not chowned) against
// --userns=host, paired in one run (target ≤ 1.3×).
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../src/engine/index.js';
import { buildImage, busyboxLayer, ociArchive } from '../test/integration/images-fixtures.js';
import { dir, file } from '../test/support/tar-writer.js';
import { row } from './stats.js';

export async function usernsRows(engine: Engine, root: string, n: number): Promise<string[]> {
  const layers = [busyboxLayer(), ...[1, 2, 3, 4].map((i) => ({ gzip: false, tar: [dir(`u${i}`), file(`u${i}/data`, `layer ${i}\n`)] }))];
  const archive = path.join(root, 'bench-userns-5-layers.tar');
  fs.writeFileSync(archive, ociArchive([{ built: buildImage({ layers }), name: 'docker.io/library/benchuserns:latest' }]));
  await engine.loadImages(archive);
  try {
    const timed = (userns: string) => async () => {
      const c = await engine.create({ image: 'benchuserns', cmd: ['/bin/true'], network: 'none', userns });
      const t0 = process.hrtime.bigint();
      await engine.start(c.id);
      const r = await engine.wait(c.id);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      await engine.remove(c.id);
      if (r.exitCode !== 0) throw new Error(`--userns=${userns}: /bin/true exited ${r.exitCode}`);
      return ms;
    };
    const auto = timed('auto');
    const host = timed('host');
    const res = { a: [] as number[], b: [] as number[] };
    for (let i = 0; i < n + 2; i++) {
      const [x, y] = i % 2 ? [await host(), await auto()].reverse() : [await auto(), await host()];
      if (i < 2) continue;
      res.a.push(x);
      res.b.push(y);
    }
    return [row('userns: start→exit, 5 layers, auto', '--userns=host', res, 1.3)];
  } finally {
    await engine.removeImage('benchuserns').catch(() => {});
    fs.rmSync(archive, { force: true });
  }
}
