// The ssh stand-in of the remote-host tests (test/integration/remote.test.ts, the
// tmux e2e test): a script named ssh, put first on PATH, that skips ssh's options and
// runs the remote command here with HUTCH_ROOT set to the state root of the host it
// was asked for (hosts/NAME next to it names the root); an unknown host fails as ssh
// does, with its message and status 255.
/** The stand-in: `-O …` (the master's control commands) does nothing; a host is a file naming its root. */
export const SSH_STANDIN = `#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    -O) exit 0 ;;
    -o|-p|-i|-l|-J|-F|-S|-E) shift 2 ;;
    --) shift; break ;;
    -*) shift ;;
    *) break ;;
  esac
done
host=$1; shift
root=$(cat "$(dirname "$0")/hosts/$host" 2>/dev/null) || { echo "ssh: Could not resolve hostname $host: Name or service not known" >&2; exit 255; }
exec env HUTCH_ROOT="$root" sh -c "exec $*"
`;
