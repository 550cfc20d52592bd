// `create`: validates the request, claims the name, and writes the bundle
// (config.json, state.json, rootfs/upper/work dirs) in a temporary directory that is
// renamed into place, so a crash leaves either nothing or a complete container.
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerSpec } from '../types.js';
import { Conflict, InvalidArgument } from '../errors.js';
import { NAME_MAX_LEN, NAME_RE, newId, randomName } from '../ids.js';
import { containerDir } from '../paths.js';
import { writeNewFilesDurable } from '../state/atomic.js';
import { buildConfig, commandFor } from '../spec/build.js';
import { ensureWorkdir } from '../images/workdir.js';
import { pidAlive } from '../proc.js';
import { authFile } from '../registry/auth-file.js';
import { namesDir, type Ctx } from './context.js';
import { files, type ContainerRecord } from './record.js';
import { makeEndpoint, networkFor, networkMode, releaseEndpoint, resolvePorts, validateNetworkSpec } from '../network/endpoint.js';
import { hostsFile, readHostResolv, resolvConf } from '../network/etc-files.js';
import { dnsAnnotation, registerNames, unregisterNames, upstreams } from '../network/names.js';
import { findNetwork } from '../network/store.js';
import { mustLoad, resolveId } from './context.js';
import type { Endpoint, PortMapping } from '../types.js';
import { checkBindSources, validateMounts } from '../volumes/validate.js';
import { attachMounts, undoAttach, type AttachResult } from '../volumes/attach.js';
import { dataDir, lockVolumes } from '../volumes/store.js';
import { treeRemover } from '../volumes/verbs.js';
import { SECCOMP_ANNOTATION, seccompFor } from '../security/seccomp/index.js';
import { devicePlan } from '../security/devices.js';
import { checkUsernsClash, validateSecurity } from '../security/validate.js';
import { allocateRange, gidBase, releaseRanges, remapRange, shiftOwner, subidRangeOf, usernsPlan, type IdRange, type UsernsPlan } from '../security/userns.js';
import { readSettings } from '../settings.js';
import type { ImageRootfs } from '../images/store.js';
import { apparmorProfileFor } from '../security/apparmor.js';
import { exitAnnotations, restartMarker } from './exit-command.js';
import { effectiveHealthcheck, HEALTH_ANNOTATION, healthAnnotation } from './health.js';

/** Engine-internal choices a public ContainerSpec cannot make. */
export interface CreateInternal {
  /** The root filesystem to use instead of resolving spec.image: a build step's
   * layers and config, which are no registered image (build/). */
  rootfs?: ImageRootfs;
}

export async function createContainer(ctx: Ctx, spec: ContainerSpec, internal: CreateInternal = {}): Promise<ContainerRecord> {
  validate(spec);
  checkBindSources(spec);
  // The container's --userns, else the root's userns-remap setting (docker's).
  const userns = usernsPlan(spec.userns, readSettings(ctx.paths.root).usernsRemap);
  checkUsernsClash(spec, userns.kind !== 'host', spec.userns ? `--userns=${spec.userns}` : 'userns-remap');
  const fixed = userns.kind === 'remap' && userns.user ? subidRangeOf(userns.user, userns.group) : undefined;
  // Where AppArmor is enabled: a profile that is not loaded fails here; hutch-default is loaded.
  const apparmor = apparmorProfileFor(spec);
  // Under the image store's shared lock until the bundle links the image's layer
  // snapshots (gc and rmi keep linked ones): rmi -f, prune -a or gc cannot delete
  // them between rootfs() and the links. With volumes, under the volumes lock too
  // until the bundle (which names them) is in place: `volume rm` waits for it.
  const volumes = !!(spec.mounts?.length || spec.volumesFrom?.length);
  return ctx.images.lease(() => (volumes ? lockVolumes(ctx.native, ctx.paths, () => createLeased(ctx, spec, true, userns, fixed, apparmor, internal)) : createLeased(ctx, spec, false, userns, fixed, apparmor, internal)));
}

async function createLeased(ctx: Ctx, spec: ContainerSpec, volumes: boolean, userns: UsernsPlan, fixed: IdRange | undefined, apparmor: string | undefined, internal: CreateInternal): Promise<ContainerRecord> {
  // hutch's own files stay out of an image that shows host directories.
  const image = internal.rootfs ?? (await ctx.images.rootfs(spec.image, { hide: [ctx.paths.root, ctx.paths.run, authFile(ctx)] }));
  const args = commandFor(spec, image);
  if (args.length === 0) throw new InvalidArgument('No command specified');
  const user = image.resolveUser(spec.user ?? image.user ?? '', spec.groupAdd);
  // Host devices now: a missing --device fails before anything is made.
  const devices = devicePlan(spec);
  const id = newId();
  fs.mkdirSync(ctx.paths.containers, { recursive: true, mode: 0o711 });
  fs.mkdirSync(namesDir(ctx), { recursive: true, mode: 0o700 });
  const name = spec.name ?? randomName(new Set(fs.readdirSync(namesDir(ctx))));
  // The bundle's temp dir before the name: a racing create that finds the name taken
  // judges it stale unless its creator's .tmp-<pid>-<id> is there (creatorAlive), so
  // that dir must exist from the moment the name does (the network and volume work
  // below awaits, which made the gap wide enough for two runs to win one name).
  const tmp = path.join(ctx.paths.containers, `.tmp-${process.pid}-${id}`);
  fs.mkdirSync(tmp, { mode: 0o700 });
  try {
    claimName(ctx, name, id);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  let endpoint: Endpoint | undefined;
  let dns = false;
  let attached: AttachResult | undefined;
  let idRange: IdRange | undefined;
  try {
    const mode = networkMode(spec);
    let ports: PortMapping[] = [];
    const internal = new Set<string>();
    let network = spec.network;
    if (mode.kind === 'network') {
      const netRec = await networkFor(ctx.native, ctx.paths, mode.name);
      endpoint = makeEndpoint(ctx.paths, netRec, id, { ip: spec.ip, aliases: spec.networkAliases, name, index: 0 });
      ports = await resolvePorts(spec, image.exposedPorts ?? []);
      if (netRec.internal) internal.add(netRec.name);
      network = netRec.name;
      dns = netRec.dns;
      if (dns) registerNames(ctx.paths, endpoint);
    } else if (mode.kind === 'container') {
      // The other container's namespace is joined at start; it must exist now (docker).
      const target = resolveId(ctx, mode.name);
      if (target === id) throw new InvalidArgument('cannot join own network');
    }
    // Volumes last among the checks: a missing --volumes-from container or a bad
    // subpath fails before anything is made; what is made here is undone below.
    if (volumes) attached = attachMounts(ctx.paths, spec, (ref) => mustLoad(ctx, resolveId(ctx, ref)).mounts ?? []);
    const mounts = attached?.mounts ?? [];
    const dir = containerDir(ctx.paths, id);
    if (userns.kind === 'auto') idRange = await allocateRange(ctx.native, ctx.paths.root, id, userns.size, (x) => containerLive(ctx, x));
    else if (userns.kind === 'remap') idRange = fixed ?? (await remapRange(ctx.native, ctx.paths.root));
    for (const d of [files.rootfs(tmp), files.upper(tmp), files.work(tmp)]) fs.mkdirSync(d, { mode: 0o755 });
    // Layer snapshots are linked from the bundle and mounted as layers/N (the monitor
    // mounts from the bundle directory): the overlay option stays short for any layer
    // count, and gc sees which snapshots containers use.
    let lowerdirs = image.lowerdirs;
    if (image.layered) {
      fs.mkdirSync(path.join(tmp, 'layers'), { mode: 0o700 });
      image.lowerdirs.forEach((d, i) => fs.symlinkSync(d, path.join(tmp, 'layers', String(i))));
      lowerdirs = image.lowerdirs.map((_, i) => `layers/${i}`);
      ensureWorkdir(image.lowerdirs, files.upper(tmp), spec.workdir || image.workdir || '/');
    }
    if (idRange) {
      usernsBundle(ctx.paths, tmp, idRange);
      // Binds and volumes are not idmapped (docker's userns-remap): what the
      // container's root makes there is owned by the range's base on the host. A
      // volume this create made is the container root's, as podman's NeedsChown.
      for (const name of attached?.made ?? []) {
        const data = dataDir(ctx.paths, name);
        if (fs.readdirSync(data).length === 0 && !attached!.mounts.some((m) => m.name === name && m.idmap)) fs.chownSync(data, idRange.base, gidBase(idRange));
      }
    }
    const hostname = spec.hostname || id.slice(0, 12);
    // The host's resolver files, read once: resolv.conf and the DNS server's upstreams.
    const resolv = endpoint ? readHostResolv() : { host: '', upstream: '' };
    // Paths inside config.json are the final ones (after the rename).
    const config = buildConfig({
      id,
      spec,
      args,
      image: { ...image, lowerdirs },
      user,
      rootfs: files.rootfs(dir),
      upperdir: files.upper(dir),
      workdir: files.work(dir),
      hostnameFile: files.hostname(dir),
      hostsFile: files.hosts(dir),
      resolvFile: endpoint ? files.resolv(dir) : undefined,
      endpoints: endpoint ? [endpoint] : [],
      ports,
      internal,
      mounts,
      annotations: endpoint
        ? dnsAnnotation(ctx.paths, [endpoint], (nid) => findNetwork(ctx.paths, nid), upstreams(spec, resolv.host, resolv.upstream))
        : {},
      cgroupsPath: `${ctx.cgroups.parent}/${id}`,
      devices,
      initBinary: ctx.native.monitorPath,
      idRange,
    });
    // After the config: the program depends on the capabilities it ended with.
    const seccomp = seccompFor({ seccomp: spec.seccomp, privileged: spec.privileged, capabilities: config.process.capabilities.bounding }, ctx.paths.root);
    if (seccomp.annotation) config.annotations[SECCOMP_ANNOTATION] = seccomp.annotation;
    if (apparmor) config.process.apparmorProfile = apparmor;
    // The monitor runs `hutch __on-exit` after an exit while the marker file exists, which
    // it does with a restart policy (exit-command.ts): `update --restart` arms it later.
    Object.assign(config.annotations, exitAnnotations(ctx, id));
    const healthcheck = effectiveHealthcheck(spec.healthcheck, image.healthcheck);
    if (healthcheck) config.annotations[HEALTH_ANNOTATION] = healthAnnotation(ctx.paths.root, dir, healthcheck, { id, attributes: { ...(spec.labels ?? {}), image: spec.image, name } });
    const restarts = !!spec.restartPolicy && spec.restartPolicy.Name !== 'no';
    const rec: ContainerRecord = {
      id,
      name,
      image: spec.image,
      ...(image.id ? { imageId: image.id } : {}),
      command: args,
      created: new Date().toISOString(),
      startedAt: '',
      finishedAt: '',
      status: 'created',
      pid: 0,
      monitorPid: 0,
      exitCode: null,
      oomKilled: false,
      seccompProfile: seccomp.profile,
      ...(apparmor ? { apparmorProfile: apparmor } : {}),
      spec: { ...spec, name, cmd: args, ...(network !== undefined ? { network } : {}) },
      ...(endpoint ? { endpoints: [endpoint] } : {}),
      ...(ports.length ? { ports } : {}),
      ...(mounts.length ? { mounts } : {}),
      bundle: dir,
      logPath: files.log(dir),
      cgroupPaths: {},
      monitorStartTime: 0,
      pidStartTime: 0,
      ...(idRange ? { idRange } : {}),
      ...(healthcheck ? { healthcheck } : {}),
    };
    // state.json names the final bundle already; the rename publishes it whole.
    const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
    await writeNewFilesDurable([
      [files.hostname(tmp), `${hostname}\n`],
      [files.hosts(tmp), hostsFile(hostname, endpoint, spec.addHosts)],
      ...(endpoint ? ([[files.resolv(tmp), resolvConf(spec, resolv.host, resolv.upstream, dns)]] as [string, string][]) : []),
      [files.config(tmp), json(config)],
      [files.state(tmp), json(rec)],
      ...(restarts ? ([[restartMarker(tmp), '']] as [string, string][]) : []),
    ]);
    fs.renameSync(tmp, dir);
    return rec;
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (endpoint) {
      unregisterNames(ctx.paths, endpoint);
      releaseEndpoint(ctx.paths, endpoint, id);
    }
    releaseName(ctx, name, id);
    if (attached) undoAttach(ctx.paths, attached, treeRemover(ctx));
    if (idRange) await releaseRanges(ctx.native, ctx.paths.root, (x) => x !== id && containerLive(ctx, x)).catch(() => {});
    throw e;
  }
}

/** A container that exists or is being created (its range is taken). */
export function containerLive(ctx: Ctx, id: string): boolean {
  return fs.existsSync(containerDir(ctx.paths, id)) || creatorAlive(ctx, id);
}

/**
 * The container's root (host uid base) must reach its rootfs directory, where it
 * attaches the overlay, through the state root and the bundle: search permission
 * for others on both (docker makes its root 0711 for remapped roots too); nothing
 * else of the bundle is readable. Its upper and work dirs, empty but for a made
 * working directory, become the mapped root's: the overlay's upper is not idmapped.
 */
function usernsBundle(paths: Ctx['paths'], tmp: string, r: IdRange): void {
  for (const d of [paths.root, paths.containers, tmp]) fs.chmodSync(d, (fs.statSync(d).mode & 0o7777) | 0o001);
  shiftOwner(files.upper(tmp), r);
  shiftOwner(files.work(tmp), r);
}

/** The request's own errors (names, limits, paths), before any image or name is looked at;
 * the test fake (test/support/fake-engine.ts) checks with it too. */
export function validate(spec: ContainerSpec): void {
  if (spec.name !== undefined && !NAME_RE.test(spec.name))
    throw new InvalidArgument(`Invalid container name (${shortName(spec.name)}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  if (spec.name !== undefined && spec.name.length > NAME_MAX_LEN)
    throw new InvalidArgument(`Invalid container name (${shortName(spec.name)}): ${spec.name.length} characters, at most ${NAME_MAX_LEN} are allowed`);
  if (spec.memory !== undefined && (!Number.isSafeInteger(spec.memory) || spec.memory < 6 * 1024 * 1024))
    throw new InvalidArgument('Minimum memory limit allowed is 6MB');
  if (spec.cpus !== undefined && !(spec.cpus > 0)) throw new InvalidArgument('Range of CPUs is from 0.01 to the number of CPUs available');
  if (spec.pidsLimit !== undefined && !(Number.isInteger(spec.pidsLimit) && spec.pidsLimit > 0))
    throw new InvalidArgument(`invalid pids limit: ${spec.pidsLimit}`);
  validateNetworkSpec(spec);
  if (spec.restartPolicy && spec.restartPolicy.Name !== 'no' && spec.autoRemove) throw new InvalidArgument('Conflicting options: --restart and --rm');
  if (spec.hostname !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9.-]{0,62}$/.test(spec.hostname))
    throw new InvalidArgument(`invalid hostname "${spec.hostname}"`);
  if (spec.workdir !== undefined && !spec.workdir.startsWith('/'))
    throw new InvalidArgument(`the working directory '${spec.workdir}' is invalid, it needs to be an absolute path`);
  for (const e of spec.env ?? []) if (!e || e.startsWith('=')) throw new InvalidArgument(`invalid environment variable: ${e}`);
  validateMounts(spec);
  validateSecurity(spec);
}

/** A name as shown in a message: a long one cut (it is on one line either way). */
function shortName(name: string): string {
  return name.length > 40 ? `${name.slice(0, 32)}…` : name;
}

/** Names are symlinks names/<name> -> id: creating one is atomic, so two hutch
 * processes can never both get a name. A link left by a crashed create is reclaimed. */
export function claimName(ctx: Ctx, name: string, id: string): void {
  const link = path.join(namesDir(ctx), name);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.symlinkSync(id, link);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = fs.readlinkSync(link);
      if (fs.existsSync(containerDir(ctx.paths, owner)) || creatorAlive(ctx, owner))
        throw new Conflict(`Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
      fs.rmSync(link, { force: true });
    }
  }
  throw new Conflict(`Conflict. The container name "/${name}" is already in use`);
}

/** A live `hutch` is still building this container (its .tmp-<pid>-<id> bundle). */
export function creatorAlive(ctx: Ctx, id: string): boolean {
  for (const n of fs.readdirSync(ctx.paths.containers)) {
    const m = /^\.tmp-(\d+)-([0-9a-f]{64})$/.exec(n);
    if (m && m[2] === id && pidAlive(Number(m[1]))) return true;
  }
  return false;
}

export function releaseName(ctx: Ctx, name: string, id: string): void {
  const link = path.join(namesDir(ctx), name);
  try {
    if (fs.readlinkSync(link) === id) fs.unlinkSync(link);
  } catch {
    /* already gone */
  }
}
