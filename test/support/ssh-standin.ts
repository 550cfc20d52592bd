// The ssh stand-ins of the remote-host tests and bench rows: scripts named ssh, put
// first on PATH, that skip ssh's options (`-O …`, the master's control commands, does
// nothing) and run the remote command here. SSH_STANDIN sets HUTCH_ROOT to the state
// root of the host it was asked for (hosts/NAME next to it names the root; an unknown
// host fails as ssh does, with its message and status 255); SSH_STANDIN_HERE runs the
// command with the caller's environment, whatever the host.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** ssh's options skipped, up to the host (`--` or the first word that is no option). */
const SKIP_OPTIONS = `while [ $# -gt 0 ]; do
  case "$1" in
    -O) exit 0 ;;
    -o|-p|-i|-l|-J|-F|-S|-E) shift 2 ;;
    --) shift; break ;;
    -*) shift ;;
    *) break ;;
  esac
done
`;

export const SSH_STANDIN = `#!/bin/sh
${SKIP_OPTIONS}host=$1; shift
root=$(cat "$(dirname "$0")/hosts/$host" 2>/dev/null) || { echo "ssh: Could not resolve hostname $host: Name or service not known" >&2; exit 255; }
exec env HUTCH_ROOT="$root" sh -c "exec $*"
`;

export const SSH_STANDIN_HERE = `#!/bin/sh
${SKIP_OPTIONS}shift
exec sh -c "exec $*"
`;

/** A temp directory holding SSH_STANDIN as ssh and a root file per host; `remove` takes it away. */
export function makeSshStandin(hosts: Record<string, string>): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hutch-ssh-standin-'));
  fs.writeFileSync(path.join(dir, 'ssh'), SSH_STANDIN, { mode: 0o755 });
  fs.mkdirSync(path.join(dir, 'hosts'));
  for (const [name, root] of Object.entries(hosts)) fs.writeFileSync(path.join(dir, 'hosts', name), root);
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
