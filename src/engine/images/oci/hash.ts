// Hashing: sha256 digests of bytes and the chain ids that key layer snapshots.
// Loaded only by the operations that hash (ingest, load, register), never by `run`.
import { createHash } from 'node:crypto';

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * OCI chain ids (image-spec config.md): ChainID(L0) = DiffID(L0),
 * ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)). A layer's snapshot is keyed by
 * its chain id, so the same diff on a different parent chain gets its own snapshot.
 */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  return out;
}
