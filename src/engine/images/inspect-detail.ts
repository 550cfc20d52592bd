// docker image inspect's record of a layered image, built from its catalog record and
// every name pointing at it (its tags, and the repositories it is known in by digest).
import type { ImageDetail } from '../types.js';
import { familiarName, familiarRepo, splitName } from './oci/reference.js';
import { namesByManifest, readRefs, type Found } from './catalog.js';
import type { Layout } from './layout.js';
import { FsBlobStore } from './content/blobs.js';
import { parseConfig } from './oci/manifest.js';

export function imageDetail(l: Layout, f: Found): ImageDetail {
  const m = f.meta;
  const names = namesByManifest(readRefs(l)).get(m.manifestDigest) ?? [];
  const tags = names.filter((n) => !n.includes('@')).map((n) => familiarName(n));
  const repos = [...new Set(names.map((n) => (n.includes('@') ? n.slice(0, n.indexOf('@')) : splitName(n).repo)))];
  const c = m.config;
  const d: ImageDetail = {
    Id: m.configDigest,
    RepoTags: tags,
    RepoDigests: repos.map((r) => `${familiarRepo(r)}@${m.manifestDigest}`),
    // docker's: no local parent chain (images come whole from archives and registries).
    Parent: '',
    Comment: lastComment(l, m.configDigest),
    Created: m.created,
    DockerVersion: '',
    Author: m.author ?? '',
    Architecture: m.architecture,
    Os: m.os,
    Size: m.size,
    GraphDriver: { Name: 'overlay', Data: null },
    Config: {
      User: c.User ?? '',
      Env: c.Env ?? [],
      Entrypoint: c.Entrypoint ?? null,
      Cmd: c.Cmd ?? null,
      WorkingDir: c.WorkingDir ?? '',
      Labels: c.Labels ?? null,
    },
    RootFS: { Type: 'layers', Layers: m.layers.map((x) => x.diffId) },
    Metadata: { LastTagTime: m.loaded },
    Manifest: { MediaType: m.mediaType, Digest: m.manifestDigest, Layers: m.layers.map((x) => ({ Digest: x.digest, MediaType: x.mediaType, Size: x.size, ChainID: x.chainId })) },
  };
  if (m.variant) d.Variant = m.variant;
  if (c.ExposedPorts) d.Config.ExposedPorts = c.ExposedPorts;
  if (c.StopSignal) d.Config.StopSignal = c.StopSignal;
  if (c.Volumes) d.Config.Volumes = c.Volumes;
  // Fields a built image may have beyond ContainerConfig's.
  const more = c as { Healthcheck?: ImageDetail['Config']['Healthcheck']; Shell?: string[]; OnBuild?: string[] | null; ArgsEscaped?: boolean };
  if (more.Healthcheck) d.Config.Healthcheck = more.Healthcheck;
  if (more.Shell) d.Config.Shell = more.Shell;
  if (more.OnBuild) d.Config.OnBuild = more.OnBuild;
  if (more.ArgsEscaped) d.Config.ArgsEscaped = more.ArgsEscaped;
  return d;
}

/** docker's Comment: the newest history entry's (`commit -m`, `buildkit.dockerfile.v0`); '' without one. */
function lastComment(l: Layout, configDigest: string): string {
  try {
    return parseConfig(new FsBlobStore(l.dir).readBytes(configDigest)).history?.at(-1)?.comment ?? '';
  } catch {
    return '';
  }
}
