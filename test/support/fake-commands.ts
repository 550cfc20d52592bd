// What the fakes (FakeEngine, the scripted monitor of fake-monitor.ts) assume of a
// container's command without running it, the same in both:
// - on the built-in `host` image it is looked up as the monitor's execve would find it
//   there: a PATH search (the engine's default PATH) through the host directories the
//   image shows (images/host.ts); other images' files are unknown, so their commands run;
// - it handles no signal: any signal whose default action ends a process ends it, with
//   status 128+N as the monitor reports it; the others (SIGCHLD, SIGWINCH…) change nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CommandError } from '../../src/engine/errors.js';
import { DEFAULT_PATH } from '../../src/engine/spec/defaults.js';

/** The host directories the `host` image shows (images/host.ts HOST_DIRS). */
const SHOWN = new Set(['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'etc']);

/** How execve of argv0 fails in a container of the host image: 'ENOENT' (not found,
 * exit 127), 'EACCES' (found, not executable: 126), or null when it runs. */
export function hostExecFailure(argv0: string): 'ENOENT' | 'EACCES' | null {
  if (!argv0) return 'ENOENT';
  const candidates = argv0.includes('/') ? [argv0] : DEFAULT_PATH.split(':').map((d) => path.join(d, argv0));
  let found = false;
  for (const p of candidates) {
    if (!path.isAbsolute(p) || !SHOWN.has(p.split('/')[1])) continue;
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      continue;
    }
    found = true;
    try {
      if (st.isFile()) {
        fs.accessSync(p, fs.constants.X_OK);
        return null;
      }
    } catch {
      /* not executable: execvp goes on searching, and reports EACCES at the end */
    }
  }
  return found ? 'EACCES' : 'ENOENT';
}

/** The error start or exec reports for argv0 on the host image (the engine's words for
 * the monitor's `error exec ENOENT|EACCES`), or null when it runs. */
export function hostCommandError(argv0: string): CommandError | null {
  const failure = hostExecFailure(argv0);
  if (failure === 'ENOENT') return new CommandError(`exec: "${argv0}": executable file not found in $PATH`, 127);
  return failure ? new CommandError(`exec: "${argv0}": permission denied`, 126) : null;
}

const s = os.constants.signals;
const HARMLESS = new Set<number>([s.SIGCHLD, s.SIGCONT, s.SIGURG, s.SIGWINCH, s.SIGSTOP, s.SIGTSTP, s.SIGTTIN, s.SIGTTOU]);

/** Whether a fake command ends on `signal` (a number, as parseSignal returns it). */
export function endsCommand(signal: number): boolean {
  return !HARMLESS.has(signal);
}
