// `run`/`create --pull always|missing|never` (docker's; default missing): the image is
// pulled first, or when create finds it missing ("Unable to find image 'x:latest'
// locally"), with the pull's progress on stderr as docker prints it there, so that
// `id=$(hutch run -d …)` still reads only the id.
import type { CliContext } from '../context.js';
import type { ContainerInfo, ContainerSpec, EngineApi } from '../../engine/types.js';
import { NotFound } from '../../engine/errors.js';
import { UsageError } from '../errors.js';
import { progressFor } from './transfer.js';

export type PullMode = 'always' | 'missing' | 'never';

export function pullMode(v: string | undefined): PullMode {
  if (v === undefined || v === 'missing') return 'missing';
  if (v === 'always' || v === 'never') return v;
  throw new UsageError(`invalid pull option: '${v}': must be one of "always", "missing" or "never"`);
}

async function pullQuietly(ctx: CliContext, engine: EngineApi, image: string): Promise<void> {
  const { parseReference } = await import('../../engine/images/oci/reference.js');
  const ref = parseReference(image);
  const progress = await progressFor(ctx, 'pull', false, 'stderr');
  // Said once the registry answered (the first progress event), as docker: a registry
  // that cannot be reached gives only its one error line.
  let said = false;
  const onProgress: typeof progress.onProgress = (e) => {
    if (!said) ctx.stderr.write(`${ref.digest ?? ref.tag}: Pulling from ${ref.repository}\n`);
    said = true;
    progress.onProgress?.(e);
  };
  try {
    const r = await engine.pull(image, { onProgress });
    if (!said) await ctx.err(`${ref.digest ?? ref.tag}: Pulling from ${ref.repository}\n`);
    progress.finish();
    const shown = ref.digest ? image : image.lastIndexOf(':') > image.lastIndexOf('/') ? image : `${image}:${ref.tag}`;
    await ctx.err(`Digest: ${r.digest}\nStatus: ${r.updated ? 'Downloaded newer image' : 'Image is up to date'} for ${shown}\n`);
  } finally {
    progress.finish();
  }
}

/** engine.create, with the image pulled as `mode` says. */
export async function createPulling(ctx: CliContext, engine: EngineApi, spec: ContainerSpec, mode: PullMode): Promise<ContainerInfo> {
  if (mode === 'always' && spec.image !== 'host') await pullQuietly(ctx, engine, spec.image);
  try {
    return await engine.create(spec);
  } catch (e) {
    if (mode !== 'missing' || !(e instanceof NotFound) || !/^Unable to find image /.test(e.message) || spec.image === 'host') throw e;
    const shown = spec.image.includes('@') || spec.image.lastIndexOf(':') > spec.image.lastIndexOf('/') ? spec.image : `${spec.image}:latest`;
    await ctx.err(`Unable to find image '${shown}' locally\n`);
    await pullQuietly(ctx, engine, spec.image);
    return engine.create(spec);
  }
}
