// Stats sweep cost with real containers: the sampler's way (files opened once,
// re-read at offset 0 through the addon) against plain fs.readFileSync of the same
// files, in the same run. Reported per container.
import fs from 'node:fs';
import type { Engine } from '../src/engine/index.js';
import { loadNative } from '../src/engine/native/real.js';
import { statFiles } from '../src/engine/stats/files.js';
import { median } from './stats.js';

export async function sweepRows(engine: Engine, image: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const c = await engine.create({ image, cmd: ['sleep', '1000'] });
      ids.push((await engine.start(c.id)).id);
    }
    const infos = await engine.list();
    const files = infos.map((c) => statFiles(c.cgroupPaths)!).filter(Boolean);
    const native = loadNative();
    const small = files.map((f) => [f.cpu, f.mem, f.pids]);
    const withStat = files.map((f) => [f.cpu, f.mem, f.pids, f.memStat]);
    const fdsSmall = small.map((ps) => ps.map((p) => native.openRead(p)));
    const fdsStat = withStat.map((ps) => ps.map((p) => native.openRead(p)));
    const time = (fn: () => void) => {
      const xs: number[] = [];
      for (let r = 0; r < 60; r++) {
        const t0 = process.hrtime.bigint();
        fn();
        xs.push(Number(process.hrtime.bigint() - t0) / 1e3 / files.length);
      }
      return median(xs.slice(5));
    };
    let sink = 0;
    const keptSmall = time(() => {
      for (const fds of fdsSmall) for (const fd of fds) sink += native.preadString(fd).length;
    });
    const plainSmall = time(() => {
      for (const ps of small) for (const p of ps) sink += fs.readFileSync(p, 'utf8').length;
    });
    const keptStat = time(() => {
      for (const fds of fdsStat) for (const fd of fds) sink += native.preadString(fd).length;
    });
    const plainStat = time(() => {
      for (const ps of withStat) for (const p of ps) sink += fs.readFileSync(p, 'utf8').length;
    });
    for (const fds of [...fdsSmall, ...fdsStat]) for (const fd of fds) native.closeFd(fd);
    if (sink < 0) console.log(sink);
    const row = (label: string, a: number, b: number, target: number) =>
      `${label.padEnd(34)} ${a.toFixed(2).padStart(8)} µs   ${'fs.readFileSync'.padEnd(22)} ${b.toFixed(2).padStart(8)} µs   ratio ${(a / b).toFixed(2)}  target ≤ ${target} µs ${a <= target ? 'MET' : 'NOT MET'}`;
    return [
      row(`stats sweep cpu+mem+pids (${files.length} ctrs)`, keptSmall, plainSmall, 8),
      row(`stats sweep + memory.stat (${files.length})`, keptStat, plainStat, 25),
    ];
  } finally {
    for (const id of ids) await engine.remove(id, { force: true }).catch(() => {});
  }
}
