// Volume row of `npm run bench` (issue 13): start→exit of /bin/true with three bind
// mounts and a named volume against the same container without them (target ≤ 1.2×).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from '../src/engine/index.js';
import { parseVolumeFlag } from '../src/engine/volumes/parse.js';
import { row } from './stats.js';

export async function volumeRows(engine: Engine, n: number): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-bench-vol-'));
  try {
    const binds = ['a', 'b', 'c'].map((x) => {
      fs.mkdirSync(path.join(dir, x));
      return parseVolumeFlag(`${path.join(dir, x)}:/mnt/${x}:ro`);
    });
    await engine.createVolume({ name: 'hutch-bench-vol' });
    const mounts = [...binds, parseVolumeFlag('hutch-bench-vol:/data')];
    const timed = (withMounts: boolean) => async () => {
      const c = await engine.create({ image: 'busybox', cmd: ['/bin/true'], network: 'none', ...(withMounts ? { mounts } : {}) });
      const t0 = process.hrtime.bigint();
      await engine.start(c.id);
      const r = await engine.wait(c.id);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      await engine.remove(c.id);
      if (r.exitCode !== 0) throw new Error(`/bin/true exited ${r.exitCode}`);
      return ms;
    };
    const a = timed(true);
    const b = timed(false);
    const res = { a: [] as number[], b: [] as number[] };
    for (let i = 0; i < n + 2; i++) {
      const first = i % 2 ? b : a;
      const second = i % 2 ? a : b;
      const x = await first();
      const y = await second();
      if (i < 2) continue;
      res.a.push(i % 2 ? y : x);
      res.b.push(i % 2 ? x : y);
    }
    return [row('vol: start→exit, 3 binds + volume', 'same, no mounts', res, 1.2)];
  } finally {
    await engine.removeVolume('hutch-bench-vol', { force: true }).catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
