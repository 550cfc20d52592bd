// Ending the process after its terminal hung up. Node 20 resets the terminal it
// started on at exit (node::ResetStdio, an atexit handler) and aborts when tcsetattr
// fails with anything but EPERM: after a hangup it fails with EIO, so the dashboard,
// closed by SIGHUP (terminal closed, tmux pane killed, ssh dropped), died of SIGABRT
// with a core dump. There is no terminal left to reset: _exit without the handlers.
import { loadNative } from './native/real.js';

/** Exits now with `code` (129 for SIGHUP, as a shell reports it). Containers are untouched. */
export function exitAfterHangup(code = 129): never {
  return loadNative().exitNow(code);
}

/** After the dashboard ended: if its terminal is gone, exit now (129) instead of through Node's reset. */
export function exitIfHungUp(): void {
  if (loadNative().terminalHungUp()) exitAfterHangup(129);
}
