// v1 blkio statistics.
import path from 'node:path';
import type { CgIo } from '../fs.js';
import { blkioTotals } from '../parse.js';

/** Files to read bytes from, best first: blk-throttle's stats are kept for every bio on
 * current kernels; the others exist on older (CFQ) or BFQ setups. */
const SERVICE_BYTES = [
  'blkio.throttle.io_service_bytes_recursive',
  'blkio.throttle.io_service_bytes',
  'blkio.io_service_bytes_recursive',
  'blkio.bfq.io_service_bytes_recursive',
];

export function blkioStatsV1(io: CgIo, dir: string | undefined): { read: number; write: number } {
  if (!dir) return { read: 0, write: 0 };
  for (const f of SERVICE_BYTES) {
    const text = io.readOpt(path.join(dir, f));
    if (text !== null) return blkioTotals(text);
  }
  return { read: 0, write: 0 };
}
