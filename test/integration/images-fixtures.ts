// Test images made inside the tests: layer tars from the test tar writer (or the
// busybox rootfs tarball), assembled into OCI image layouts, OCI archives and
// `docker save` archives. No binary fixtures.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { tar, type TarSpec } from '../support/tar-writer.js';
import { busyboxRootfsTar } from './helpers.js';
import type { ContainerConfig } from '../../src/engine/images/oci/manifest.js';
import { hostPlatform } from '../../src/engine/images/oci/manifest.js';

export const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface LayerSpec {
  /** Entries of the layer tar, or the tar itself. */
  tar: TarSpec[] | Buffer;
  gzip?: boolean;
}

export interface ImageSpec {
  /** Full reference for index.json, e.g. 'docker.io/library/t1:latest'; none = untagged. */
  name?: string;
  layers: LayerSpec[];
  config?: ContainerConfig;
  /** Breaks the config: wrong diff id for the last layer. */
  badDiffId?: boolean;
}

export interface BuiltImage {
  manifestDigest: string;
  configDigest: string;
  diffIds: string[];
  /** Every blob: digest → bytes. */
  blobs: Map<string, Buffer>;
  manifest: Buffer;
  config: Buffer;
  layerBlobs: Buffer[];
  layerTars: Buffer[];
}

export function busyboxLayer(): LayerSpec {
  return { tar: fs.readFileSync(busyboxRootfsTar()) };
}

export function buildImage(spec: ImageSpec): BuiltImage {
  const blobs = new Map<string, Buffer>();
  const layerTars = spec.layers.map((l) => (Buffer.isBuffer(l.tar) ? l.tar : tar(l.tar)));
  const layerBlobs = spec.layers.map((l, i) => (l.gzip ? gzipSync(layerTars[i]) : layerTars[i]));
  const diffIds = layerTars.map(sha);
  const plat = hostPlatform();
  const config = Buffer.from(
    JSON.stringify({
      created: '2024-05-01T10:00:00Z',
      architecture: plat.architecture,
      ...(plat.variant ? { variant: plat.variant } : {}),
      os: 'linux',
      config: spec.config ?? {},
      rootfs: { type: 'layers', diff_ids: spec.badDiffId ? [...diffIds.slice(0, -1), sha('not this')] : diffIds },
      history: spec.layers.map(() => ({ created: '2024-05-01T10:00:00Z', created_by: 'test' })),
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: layerBlobs.map((b, i) => ({
        mediaType: spec.layers[i].gzip ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar',
        digest: sha(b),
        size: b.length,
      })),
    }),
  );
  for (const b of [config, manifest, ...layerBlobs]) blobs.set(sha(b), b);
  return { manifestDigest: sha(manifest), configDigest: sha(config), diffIds, blobs, manifest, config, layerBlobs, layerTars };
}

function indexJson(images: Array<{ built: BuiltImage; name?: string }>): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      manifests: images.map(({ built, name }) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: built.manifestDigest,
        size: built.manifest.length,
        ...(name ? { annotations: { 'org.opencontainers.image.ref.name': name } } : {}),
      })),
    }),
  );
}

/** An OCI image layout directory (for skopeo's `oci:` transport). */
export function writeOciLayout(dir: string, images: Array<{ built: BuiltImage; name?: string }>): void {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  fs.writeFileSync(path.join(dir, 'index.json'), indexJson(images));
  for (const { built } of images) for (const [d, b] of built.blobs) fs.writeFileSync(path.join(dir, 'blobs', 'sha256', d.slice(7)), b);
}

/** An OCI archive (what `hutch save` / `podman save --format oci-archive` write). */
export function ociArchive(images: Array<{ built: BuiltImage; name?: string }>, opts: { tamper?: (blobs: Map<string, Buffer>) => void } = {}): Buffer {
  const blobs = new Map<string, Buffer>();
  for (const { built } of images) for (const [d, b] of built.blobs) blobs.set(d, b);
  opts.tamper?.(blobs);
  return tar([
    { name: 'oci-layout', data: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { name: 'index.json', data: indexJson(images) },
    { name: 'blobs/', type: 'dir' },
    { name: 'blobs/sha256/', type: 'dir' },
    ...[...blobs].map(([d, b]) => ({ name: `blobs/sha256/${d.slice(7)}`, data: b })),
  ]);
}

/**
 * docker's pre-25 `docker save` layout: <id>/layer.tar (uncompressed), <config>.json,
 * manifest.json, repositories. With `links`, layers are <diff>.tar at the top and
 * <id>/layer.tar links to them, as podman's docker-archive writes.
 */
export function dockerSaveArchive(built: BuiltImage, repoTags: string[], opts: { links?: boolean } = {}): Buffer {
  const entries: TarSpec[] = [];
  const layerPaths: string[] = [];
  built.layerTars.forEach((t, i) => {
    const id = sha(`layer ${i} ${built.diffIds[i]}`).slice(7);
    entries.push({ name: `${id}/`, type: 'dir' }, { name: `${id}/VERSION`, data: '1.0' }, { name: `${id}/json`, data: JSON.stringify({ id }) });
    if (opts.links) {
      entries.push({ name: `${built.diffIds[i].slice(7)}.tar`, data: t });
      entries.push({ name: `${id}/layer.tar`, type: 'symlink', link: `../${built.diffIds[i].slice(7)}.tar` });
    } else entries.push({ name: `${id}/layer.tar`, data: t });
    layerPaths.push(`${id}/layer.tar`);
  });
  const configName = `${built.configDigest.slice(7)}.json`;
  entries.push({ name: configName, data: built.config });
  entries.push({ name: 'manifest.json', data: JSON.stringify([{ Config: configName, RepoTags: repoTags, Layers: layerPaths }]) });
  entries.push({ name: 'repositories', data: '{}' });
  return tar(entries);
}
