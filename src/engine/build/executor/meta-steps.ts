// The steps that change only the image's config (no layer, an empty_layer history
// entry): ENV, LABEL, WORKDIR's config part, USER, CMD, ENTRYPOINT, EXPOSE, VOLUME,
// HEALTHCHECK, SHELL, STOPSIGNAL, ONBUILD, MAINTAINER, ARG. Each returns the text
// BuildKit writes as the history's created_by; the instruction is already
// substituted (expandInstruction). What docker refuses is one `file:line:` error.
import type { Instruction } from '../dockerfile/index.js';
import { commandArgs, lineError, normalizeWorkdir, Problem } from '../dockerfile/index.js';
import { signalNumber } from '../../security/process.js';
import type { StageState } from './state.js';
import type { ArgScope } from '../dockerfile/index.js';

export interface MetaContext {
  file: string;
  scope: ArgScope;
  /** BuildKit's `--label`s win over the Dockerfile's; applied at the end, not here. */
}

const json = (a: readonly string[]) => JSON.stringify(a);

/** Applies a metadata instruction to st; returns created_by, or null when ins makes a layer. */
export function applyMeta(st: StageState, ins: Instruction, ctx: MetaContext): string | null {
  const c = st.config;
  const fail = (e: unknown) => (e instanceof Problem ? lineError(ctx.file, ins.line, e.message) : e);
  switch (ins.kind) {
    case 'ENV': {
      const text = st.vars.setEnv(ins.pairs);
      c.Env = st.vars.configEnv();
      return text;
    }
    case 'ARG':
      return st.vars.declareArgs(ins, ctx.scope).history;
    case 'LABEL': {
      c.Labels = { ...(c.Labels ?? {}) };
      for (const p of ins.pairs) c.Labels[p.key] = p.value;
      return `LABEL ${ins.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`;
    }
    case 'USER':
      if (ins.user === '') throw lineError(ctx.file, ins.line, 'USER requires exactly one argument');
      c.User = ins.user;
      return `USER ${ins.user}`;
    case 'WORKDIR':
      try {
        c.WorkingDir = normalizeWorkdir(c.WorkingDir ?? '/', ins.path);
      } catch (e) {
        throw fail(e);
      }
      return `WORKDIR ${c.WorkingDir}`;
    case 'CMD':
    case 'ENTRYPOINT': {
      const args = commandArgs(ins.command, c.Shell);
      if (ins.kind === 'CMD') c.Cmd = args;
      else {
        c.Entrypoint = args;
        // docker: a new ENTRYPOINT drops the base image's CMD (unless this stage set one).
        if (!st.cmdSet) c.Cmd = null;
      }
      if (ins.kind === 'CMD') st.cmdSet = true;
      if (ins.command.form === 'shell') c.ArgsEscaped = true;
      return `${ins.kind} ${json(args)}`;
    }
    case 'EXPOSE': {
      c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
      for (const p of ins.ports) c.ExposedPorts[p] = {};
      return `EXPOSE map[${Object.keys(c.ExposedPorts)
        .filter((k) => ins.ports.includes(k))
        .map((k) => `${k}:{}`)
        .join(' ')}]`;
    }
    case 'VOLUME': {
      c.Volumes = { ...(c.Volumes ?? {}) };
      for (const p of ins.paths) c.Volumes[p] = {};
      return `VOLUME ${json(ins.paths)}`;
    }
    case 'HEALTHCHECK': {
      const h = ins.health;
      c.Healthcheck = {
        Test: h.test,
        ...(h.interval ? { Interval: h.interval } : {}),
        ...(h.timeout ? { Timeout: h.timeout } : {}),
        ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}),
        ...(h.startInterval ? { StartInterval: h.startInterval } : {}),
        ...(h.retries ? { Retries: h.retries } : {}),
      };
      return `HEALTHCHECK &{${json(h.test)} ${h.interval} ${h.timeout} ${h.startPeriod} ${h.startInterval} ${h.retries}}`;
    }
    case 'SHELL':
      c.Shell = [...ins.shell];
      return `SHELL ${json(ins.shell)}`;
    case 'STOPSIGNAL':
      try {
        signalNumber(ins.signal);
      } catch {
        throw lineError(ctx.file, ins.line, `failed to process "${ins.signal}": invalid signal`);
      }
      c.StopSignal = ins.signal;
      return `STOPSIGNAL ${ins.signal}`;
    case 'ONBUILD':
      c.OnBuild = [...(c.OnBuild ?? []), ins.expression];
      return `ONBUILD ${ins.expression}`;
    case 'MAINTAINER':
      st.author = ins.maintainer;
      return `MAINTAINER ${ins.maintainer}`;
    default:
      return null;
  }
}
