// A tiny store outside React: the controller and the stats sampler write to it,
// components read slices of it with useSyncExternalStore. Keeping the state here
// (and not in components) is what lets the dashboard unmount Ink for a shell and
// come back to exactly the same view.

export type Listener = () => void;

export class Store<S extends object> {
  private state: S;
  private readonly listeners = new Set<Listener>();

  constructor(initial: S) {
    this.state = initial;
  }

  get = (): S => this.state;

  /** Shallow-merges `patch` (or the result of `fn(state)`) and notifies subscribers. */
  set = (patch: Partial<S> | ((s: S) => Partial<S>)): void => {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    let changed = false;
    for (const k of Object.keys(p) as (keyof S)[]) {
      if (this.state[k] !== p[k]) {
        changed = true;
        break;
      }
    }
    if (!changed) return;
    this.state = { ...this.state, ...p };
    for (const l of this.listeners) l();
  };

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
}
