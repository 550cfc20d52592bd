// How the dashboard reaches another machine: the system's `ssh` (found on PATH), so
// the user's ~/.ssh/config, agent, keys, known_hosts and jump hosts work as they
// are (lazydocker's tunnelled-socket bugs, research next-capabilities §8b, are what
// this avoids: no forwarded socket, only a command's stdio). One connection per host
// is kept by ssh's own ControlMaster in a private directory of ours; the stats stream,
// the actions, the logs and the shells all go through it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type Env = Record<string, string | undefined>;

/** What every ssh call of one dashboard shares. */
export interface SshConfig {
  /** The ssh program (default `ssh`, looked up on PATH by spawn). */
  program: string;
  /** The directory of the control sockets (mode 0700, ours alone). */
  controlDir: string;
  /** The remote command that is hutch there, as words (default ['hutch']; $HUTCH_REMOTE_COMMAND). */
  remoteHutch: string[];
  env: Env;
}

/** Seconds a master connection outlives its last use (the dashboard closes it itself on the way out). */
const CONTROL_PERSIST = 60;

/** The options of every call: batch mode (no password prompt over the dashboard), the shared master, dead links noticed,
 * an unreachable host given up on in 10 s (the kernel's own wait is minutes: the pane's shell would hang that long). */
export function sshOptions(cfg: SshConfig): string[] {
  return [
    '-o', 'BatchMode=yes',
    '-o', 'ControlMaster=auto',
    '-o', `ControlPath=${path.join(cfg.controlDir, '%C')}`,
    '-o', `ControlPersist=${CONTROL_PERSIST}`,
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
    '-o', 'ConnectTimeout=10',
  ];
}

/** A word for the remote shell (ssh joins its arguments into one command line for it). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The remote command line: hutch (or its override) and `args`, each word quoted. */
export function remoteCommand(cfg: SshConfig, args: readonly string[]): string {
  return [...cfg.remoteHutch, ...args.map(shellQuote)].join(' ');
}

/**
 * argv for ssh running `hutch ARGS` on `host`. `tty`: a terminal there (`-t`, a shell);
 * otherwise `-T`. `--` keeps a host name from being read as an option.
 */
export function sshArgv(cfg: SshConfig, host: string, args: readonly string[], opts: { tty?: boolean } = {}): string[] {
  return [opts.tty ? '-t' : '-T', ...sshOptions(cfg), '--', host, remoteCommand(cfg, args)];
}

/** argv asking the master of `host` to end (`ssh -O exit`). */
export function sshExitArgv(cfg: SshConfig, host: string): string[] {
  return ['-O', 'exit', ...sshOptions(cfg), '--', host];
}

/** A host name ssh can be given: not empty, not an option, no whitespace or control characters. */
export function checkHostName(name: string): string | undefined {
  if (name === '') return 'a host name cannot be empty';
  if (name.startsWith('-')) return `${JSON.stringify(name)} is not a host name (it starts with -)`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(name)) return `${JSON.stringify(name)} is not a host name (whitespace or a control character)`;
  return undefined;
}

/** Makes the private control directory ($XDG_RUNTIME_DIR or the temp dir) and the config. */
export function createSshConfig(env: Env): SshConfig {
  const base = env.XDG_RUNTIME_DIR && fs.existsSync(env.XDG_RUNTIME_DIR) ? env.XDG_RUNTIME_DIR : os.tmpdir();
  // Short: a unix socket's path has room for ~107 bytes, %C is 40 of them.
  const controlDir = fs.mkdtempSync(path.join(base, 'hutch-ssh-'));
  fs.chmodSync(controlDir, 0o700);
  const override = env.HUTCH_REMOTE_COMMAND?.trim();
  return { program: 'ssh', controlDir, remoteHutch: override ? override.split(/\s+/) : ['hutch'], env };
}

/** Removes the control directory (the masters were asked to exit first). */
export function removeControlDir(cfg: SshConfig): void {
  try {
    fs.rmSync(cfg.controlDir, { recursive: true, force: true });
  } catch {
    // a socket left by a master still exiting: the temp dir's cleaner takes it
  }
}
