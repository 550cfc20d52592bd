// The engine's entry to registry work, loaded only when pull, push, login or
// logout runs (never on the `run` path).
import path from 'node:path';
import type { Ctx } from '../container/context.js';
import type { PullResult, PushResult, RegistryOptions } from '../types.js';
import { withLock } from '../state/lock.js';
import { authFile } from './auth-file.js';
import { refuseBuiltin } from '../images/host.js';
import { pullImage, type RegistryDeps } from './pull.js';
import { pushImage } from './push.js';
import { login as loginTo, logout as logoutFrom } from './login.js';

export { authFile };

function deps(ctx: Ctx): RegistryDeps {
  return {
    service: () => ctx.images.service(),
    authFile: authFile(ctx),
    lock: (name, fn) => withLock(ctx.native, path.join(ctx.paths.run, `${name}.lock`), fn),
  };
}

export async function pull(ctx: Ctx, ref: string, opts?: RegistryOptions): Promise<PullResult> {
  refuseBuiltin(ref, 'pulled');
  return pullImage(deps(ctx), ref, opts);
}

export async function push(ctx: Ctx, ref: string, opts?: RegistryOptions): Promise<PushResult> {
  refuseBuiltin(ref, 'pushed');
  return pushImage(deps(ctx), ref, opts);
}

export async function login(ctx: Ctx, registry: string, creds: { username: string; password: string }, opts: { insecure?: boolean } = {}): Promise<void> {
  await loginTo(registry, creds, { insecure: opts.insecure, authFile: authFile(ctx) });
}

export async function logout(ctx: Ctx, registry: string): Promise<boolean> {
  return logoutFrom(registry, authFile(ctx)).removed;
}
