// Every verb, in the order `hutch --help` lists them.
import type { Verb } from '../context.js';
import { run } from './run.js';
import { create } from './create.js';
import { ps } from './ps.js';
import { start } from './start.js';
import { stop } from './stop.js';
import { restart } from './restart.js';
import { kill } from './kill.js';
import { rm } from './rm.js';
import { logs } from './logs.js';
import { exec } from './exec.js';
import { attach } from './attach.js';
import { inspect } from './inspect.js';
import { wait } from './wait.js';
import { images } from './images.js';
import { importVerb } from './import.js';
import { image } from './image.js';
import { rmi } from './rmi.js';
import { tag } from './tag.js';
import { save } from './save.js';
import { load } from './load.js';
import { pull } from './pull.js';
import { push } from './push.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { gc } from './gc.js';
import { network } from './network.js';
import { volume } from './volume.js';
import { port } from './port.js';
import { cp } from './cp.js';
import { exportVerb } from './export.js';
import { diff } from './diff.js';
import { commit } from './commit.js';
import { build } from './build.js';
import { builder } from './builder.js';
import { history } from './history.js';
import { version } from './version.js';
import { pause } from './pause.js';
import { unpause } from './unpause.js';
import { rename } from './rename.js';
import { top } from './top.js';
import { stats } from './stats.js';
import { events } from './events.js';
import { onExit } from './on-exit.js';
import { shellServe } from './shell-serve.js';
import { signalProcess } from './signal-process.js';
import { update } from './update.js';
import { container } from './container.js';
import { info } from './info.js';
import { system } from './system.js';
import { healthcheck } from './healthcheck.js';

export const verbs: readonly Verb[] = [
  run, create, ps, start, stop, restart, kill, rm, logs, exec, attach, inspect, port, stats, events, cp, exportVerb, diff, commit, wait, build, builder, images, history, image, rmi, tag, save, load, importVerb, pull, push, login, logout, network, volume, gc, version,
  // pause, rename, update, top, container, info, system: docker's lifecycle verbs and management commands.
  top, pause, unpause, rename, update, container, system, info, healthcheck,
];

/** Verbs run by hutch itself, not listed in the help. */
const internalVerbs: readonly Verb[] = [onExit, shellServe, signalProcess];

export function findVerb(name: string): Verb | undefined {
  return verbs.find((v) => v.name === name) ?? internalVerbs.find((v) => v.name === name);
}
