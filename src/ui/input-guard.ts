// Ink 6.8's useInput takes a key's name as its input whenever Ctrl is held, and a
// key its parser reads as Ctrl with no name — Ctrl+F1…F4 as xterm sends them
// (`ESC [1;5P`), Ctrl+F13 and up, Ctrl+Shift with those — makes it throw
// (`input.startsWith` of undefined) inside the stdin handler: the dashboard would
// end on a key press. Every 'input' event Ink's listeners throw on is dropped
// instead (Ink has no name for such a key, so no handler could have used it). The
// dashboard's own key handler does not throw through here: App wraps it
// (guardHandler), so its errors still end hutch loudly.
import type { EventEmitter } from 'node:events';

const guarded = new WeakSet<EventEmitter>();

/** Drops an 'input' event that Ink's listeners throw on; `dropped` hears of it. Returns the undo. */
export function guardInput(emitter: EventEmitter, dropped: (e: unknown) => void): () => void {
  if (guarded.has(emitter)) return () => {};
  guarded.add(emitter);
  const emit = emitter.emit;
  emitter.emit = function (this: EventEmitter, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'input') return emit.call(this, event, ...args);
    try {
      return emit.call(this, event, ...args);
    } catch (e) {
      dropped(e);
      return false;
    }
  } as EventEmitter['emit'];
  return () => {
    emitter.emit = emit;
    guarded.delete(emitter);
  };
}

/** The dashboard's key handler, its errors thrown outside Ink's input event (see above). */
export function guardHandler<A extends unknown[]>(f: (...a: A) => void): (...a: A) => void {
  return (...a: A) => {
    try {
      f(...a);
    } catch (e) {
      setImmediate(() => {
        throw e;
      });
    }
  };
}
