// The signals a foreground client (`hutch run`, `hutch exec`, the dashboard's shell)
// relays to a container's monitor. The monitor is in a session of its own, so only
// this process gets the terminal's signals, and signals sent to this pid alone
// (a supervisor's SIGTERM, `timeout`, a hangup) are relayed the same way.
import type { SignalSource } from './types.js';

/** What `hutch run` and `hutch exec` relay, as docker's sig-proxy does (and SIGWINCH). */
export const RELAYED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

export interface ProcessSignals extends SignalSource {
  /** Removes the handlers: the signals' default actions apply again. */
  close(): void;
}

/**
 * Handles `signals` from now on (so none of them ends this process), and hands them
 * to the current subscriber. Signals that come while nobody listens (before the
 * monitor runs) are kept and delivered to the next subscriber, except SIGWINCH,
 * which a new monitor reads fresh anyway.
 */
export function processSignals(signals: readonly NodeJS.Signals[] = RELAYED_SIGNALS): ProcessSignals {
  let listener: ((s: NodeJS.Signals) => void) | null = null;
  const queued: NodeJS.Signals[] = [];
  const handler = (s: NodeJS.Signals) => {
    if (listener) listener(s);
    else if (s !== 'SIGWINCH') queued.push(s);
  };
  for (const s of signals) process.on(s, handler);
  return {
    subscribe(fn) {
      listener = fn;
      for (const s of queued.splice(0)) fn(s);
      return () => {
        if (listener === fn) listener = null;
      };
    },
    close() {
      listener = null;
      for (const s of signals) process.off(s, handler);
    },
  };
}
