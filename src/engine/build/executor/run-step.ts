// RUN: the step runs as a hutch container of the stage's current layers and config —
// the run path's isolation and hardening (namespaces, seccomp, capabilities), on the
// build's network — and its layer is the container's upper directory, moved into the
// store as the new snapshot (build/layer). The container is named for this build
// process (`hutch-build-<pid>-<start>-<n>`) so that gc removes it if the build is
// killed; the build removes it itself in every other case.
import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../../container/context.js';
import { createContainer } from '../../container/create.js';
import { startContainer } from '../../container/start.js';
import { waitContainer } from '../../container/wait.js';
import { removeContainer } from '../../container/remove.js';
import { LogCursor } from '../../container/logs.js';
import { files } from '../../container/record.js';
import { containerDir } from '../../paths.js';
import type { ContainerSpec, NetworkMode } from '../../types.js';
import { InvalidArgument } from '../../errors.js';
import { layerFromUpper } from '../layer/index.js';
import type { Added } from '../../images/additions.js';
import type { StoreParts } from '../../images/store-parts.js';
import { lineError, runProcess, SCRIPT_DIR, type RunInstruction } from '../dockerfile/index.js';
import { rootfsOf, topChain, type StageState, type StepLayer } from './state.js';
import { buildContainerName } from './names.js';

export interface RunStepOptions {
  file: string;
  network: NetworkMode;
  /** Proxy build args: RUN's environment only. */
  proxyEnv: ReadonlyMap<string, string>;
  sourceDateEpoch?: number;
  onOutput(stream: 'stdout' | 'stderr', text: string): void;
  signal?: AbortSignal;
}

/** Runs ins in st; its layer (null when it changed nothing). */
export async function runStep(ctx: Ctx, s: StoreParts, added: Added, st: StageState, ins: RunInstruction, o: RunStepOptions): Promise<StepLayer | null> {
  const proc = runProcess(ins, st.config.Shell);
  const rootfs = rootfsOf(s, st);
  const network: NetworkMode = ins.network === 'none' ? 'none' : ins.network === 'host' ? 'host' : o.network;
  let scriptDir: string | undefined;
  const mounts: NonNullable<ContainerSpec['mounts']> = [];
  if (proc.script) {
    // A `#!` heredoc is a file of its own, bound read-only for this RUN only.
    scriptDir = fs.mkdtempSync(path.join(ctx.paths.run, 'build-script-'));
    fs.writeFileSync(path.join(scriptDir, proc.script.name), proc.script.content, { mode: 0o755 });
    mounts.push({ type: 'bind', source: path.join(scriptDir, proc.script.name), target: `${SCRIPT_DIR}/${proc.script.name}`, readOnly: true });
  }
  const env = [...st.vars.runEnv(), ...[...o.proxyEnv].map(([k, v]) => `${k}=${v}`)];
  const spec: ContainerSpec = {
    image: `build-step`,
    name: buildContainerName(),
    cmd: proc.args,
    entrypoint: [],
    env,
    workdir: st.config.WorkingDir || '/',
    ...(st.config.User ? { user: st.config.User } : {}),
    network,
    ...(mounts.length ? { mounts } : {}),
  };
  let id: string | undefined;
  try {
    const rec = await createContainer(ctx, spec, { rootfs });
    id = rec.id;
    const bundle = containerDir(ctx.paths, id);
    await startContainer(ctx, id);
    const tail = tailLog(files.log(bundle), o.onOutput);
    let exit;
    try {
      exit = await waitContainer(ctx, id);
    } finally {
      tail.stop();
    }
    if (exit.exitCode !== 0) {
      const what = proc.args.join(' ');
      throw lineError(o.file, ins.line, `RUN ${what.length > 200 ? `${what.slice(0, 200)}…` : what}: exited with code ${exit.exitCode}${exit.oomKilled ? ' (out of memory)' : ''}`);
    }
    const cfg = JSON.parse(fs.readFileSync(files.config(bundle), 'utf8')) as { mounts?: { destination: string }[] };
    const exclude = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/dev', '/proc', '/sys', ...(cfg.mounts ?? []).map((m) => m.destination)];
    const layer = await layerFromUpper({ ...s, native: ctx.native }, added, {
      upper: files.upper(bundle),
      parentChainId: topChain(st),
      lowerdirs: rootfs.lowerdirs,
      exclude,
      ...(o.sourceDateEpoch !== undefined ? { sourceDateEpoch: o.sourceDateEpoch } : {}),
      snapshot: 'move',
    });
    return layer.empty ? null : { descriptor: layer.descriptor, diffId: layer.diffId, chainId: layer.chainId };
  } catch (e) {
    if (e instanceof InvalidArgument || !(e instanceof Error)) throw e;
    throw lineError(o.file, ins.line, `RUN: ${e.message}`);
  } finally {
    if (id) await removeContainer(ctx, id, true).catch(() => {});
    if (scriptDir) fs.rmSync(scriptDir, { recursive: true, force: true });
  }
}

/** Follows a container's log file (CRI k8s-file lines) until stop(): polls while the
 * step runs, through one fd opened once the monitor has made the file. */
function tailLog(file: string, onOutput: RunStepOptions['onOutput']): { stop(): void } {
  const cursor = new LogCursor();
  let fd = -1;
  const read = () => {
    if (fd < 0) {
      try {
        fd = fs.openSync(file, 'r');
      } catch {
        return;
      }
    }
    for (const l of cursor.read(fd)) onOutput(l.stream, l.full ? `${l.text}\n` : l.text);
  };
  const timer = setInterval(read, 50);
  return {
    stop() {
      clearInterval(timer);
      try {
        read();
      } finally {
        if (fd >= 0) fs.closeSync(fd);
      }
    },
  };
}
