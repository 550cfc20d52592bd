// A shell socket as a FrameLink (shell-connection.ts), read at a bounded rate.
//
// Why paced: a monitor relays its pty as it reads it, a few KiB at a time, so a
// shell printing 1 MB/s would wake the dashboard a few hundred times a second,
// each wake-up costing more than the bytes it brings. After each read the socket
// is paused for `paceMs`: output then arrives at most 1000/paceMs times a second,
// in bigger reads (the kernel's socket buffer and the monitor's client queue
// hold what comes meanwhile), and the emulator parses it in fewer, bigger
// writes. A key's echo after a quiet moment is read at once; the pause only
// bounds how often a flood is read, well under the pane's frame interval.
import type net from 'node:net';
import type { FrameLink } from './shell-connection.js';

/** Reads at most every 40 ms: 25 a second, ~40 KB each at 1 MB/s (bench/pane.ts: 20 ms cost ~0.7 % of a core more). */
export const READ_PACE_MS = 40;

export function socketLink(sock: net.Socket, paceMs = READ_PACE_MS): FrameLink {
  let timer: NodeJS.Timeout | undefined;
  sock.on('error', () => {}); // seen as 'close'
  sock.on('close', () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  });
  const resume = () => {
    timer = undefined;
    if (!sock.destroyed) sock.resume();
  };
  return {
    onBytes: (f) =>
      sock.on('data', (chunk: Buffer) => {
        f(chunk);
        if (paceMs > 0 && !timer && !sock.destroyed) {
          sock.pause();
          timer = setTimeout(resume, paceMs);
        }
      }),
    onClose: (f) => sock.on('close', f),
    writable: () => !sock.destroyed,
    write: (b) => void sock.write(b),
    destroy: () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      sock.destroy();
    },
  };
}
