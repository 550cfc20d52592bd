// Key bindings: every action the dashboard knows, its default keys, the views it
// applies in, and the words the footer and the help screen show. The config file
// can rebind any action (`"keys": {"stop": "x"}` or a list of keys); Ctrl+C
// always quits, Ctrl+L redraws and Ctrl+Z suspends: those cannot be rebound.

/** Where an action applies; a view consults a fixed list of scopes. */
export type Scope = 'global' | 'nav' | 'containers' | 'container' | 'detail' | 'logs' | 'images' | 'networks' | 'volumes';

export interface ActionSpec {
  keys: string[];
  scope: Scope;
  /** Short label for the footer. */
  label: string;
  /** Sentence for the help screen. */
  help: string;
}

export const ACTIONS = {
  quit: { keys: ['q'], scope: 'global', label: 'quit', help: 'Quit hutch (Ctrl+C too); containers keep running' },
  help: { keys: ['?'], scope: 'global', label: 'help', help: 'Show or hide this help' },
  theme: { keys: ['t'], scope: 'global', label: 'theme', help: 'Next colour theme' },

  up: { keys: ['up', 'k'], scope: 'nav', label: 'up', help: 'Move up' },
  down: { keys: ['down', 'j'], scope: 'nav', label: 'down', help: 'Move down' },
  pageUp: { keys: ['pageup', 'ctrl+b'], scope: 'nav', label: 'page up', help: 'One page up' },
  pageDown: { keys: ['pagedown', 'ctrl+f'], scope: 'nav', label: 'page down', help: 'One page down' },
  top: { keys: ['home', 'g'], scope: 'nav', label: 'top', help: 'Go to the first line' },
  bottom: { keys: ['end', 'G'], scope: 'nav', label: 'bottom', help: 'Go to the last line (logs: follow again)' },
  back: { keys: ['escape', 'left'], scope: 'nav', label: 'back', help: 'Back to the containers' },

  open: { keys: ['enter', 'right'], scope: 'containers', label: 'detail', help: 'Details of the container: charts, processes, config' },
  mark: { keys: ['space'], scope: 'containers', label: 'mark', help: 'Mark or unmark the container; actions apply to all marked' },
  unmarkAll: { keys: ['U'], scope: 'containers', label: 'unmark', help: 'Unmark all containers' },
  filter: { keys: ['/'], scope: 'containers', label: 'filter', help: 'Filter by name, image, id or state (Esc clears)' },
  showAll: { keys: ['a'], scope: 'containers', label: 'all', help: 'Show or hide exited containers' },
  sortNext: { keys: ['>'], scope: 'containers', label: 'sort', help: 'Sort by the next column (1-9: by that column; again: reverse)' },
  sortPrev: { keys: ['<'], scope: 'containers', label: 'sort', help: 'Sort by the previous column' },
  images: { keys: ['i'], scope: 'containers', label: 'images', help: 'Images view' },
  networks: { keys: ['w'], scope: 'containers', label: 'networks', help: 'Networks view' },
  volumes: { keys: ['v'], scope: 'containers', label: 'volumes', help: 'Volumes view' },
  create: { keys: ['n'], scope: 'containers', label: 'new', help: 'New container (form)' },
  demo: { keys: ['D'], scope: 'containers', label: 'demo', help: 'Start the demo containers on the host image (CPU loop, growing memory, idle)' },

  logs: { keys: ['l'], scope: 'container', label: 'logs', help: 'Logs of the container' },
  mergedLogs: { keys: ['L'], scope: 'container', label: 'all logs', help: 'Merged logs of all (or the marked) containers' },
  exec: { keys: ['e'], scope: 'container', label: 'shell', help: 'Open a shell in the container (exit to come back)' },
  shellPane: { keys: ['E'], scope: 'container', label: 'shell pane', help: 'A shell in a pane beside the charts (^] moves the keys between it and the dashboard; Shift+PgUp/PgDn scroll back; Esc closes: end it or detach)' },
  start: { keys: ['s'], scope: 'container', label: 'start', help: 'Start' },
  stop: { keys: ['x'], scope: 'container', label: 'stop', help: 'Stop (SIGTERM, then SIGKILL after the timeout)' },
  restart: { keys: ['r'], scope: 'container', label: 'restart', help: 'Restart' },
  kill: { keys: ['K'], scope: 'container', label: 'kill', help: 'Kill (SIGKILL)' },
  pause: { keys: ['p'], scope: 'container', label: 'pause', help: 'Pause, or unpause, a running container (its processes frozen)' },
  remove: { keys: ['d'], scope: 'container', label: 'delete', help: 'Delete (asks first; running containers are force-removed)' },

  signal: { keys: ['S'], scope: 'detail', label: 'signal', help: 'Send a signal to the selected process (↑ ↓ select it; asks which, then y/N)' },
  inspect: { keys: ['I'], scope: 'detail', label: 'inspect', help: 'The raw inspect of the container, as hutch inspect prints it (Esc back)' },

  follow: { keys: ['f'], scope: 'logs', label: 'follow', help: 'Follow new lines on or off' },
  search: { keys: ['/'], scope: 'logs', label: 'search', help: 'Search the logs' },
  nextMatch: { keys: ['n'], scope: 'logs', label: 'next', help: 'Next match' },
  prevMatch: { keys: ['N'], scope: 'logs', label: 'prev', help: 'Previous match' },
  timestamps: { keys: ['T'], scope: 'logs', label: 'times', help: 'Show each line\'s time, or not' },
  wrap: { keys: ['w'], scope: 'logs', label: 'wrap', help: 'Wrap long lines, or cut them at the width (< > then scroll sideways)' },
  scrollLeft: { keys: ['<'], scope: 'logs', label: 'left', help: 'Lines cut at the width: show more of their start' },
  scrollRight: { keys: ['>'], scope: 'logs', label: 'right', help: 'Lines cut at the width: show more of their end' },
  saveLogs: { keys: ['W'], scope: 'logs', label: 'save', help: 'Save the logs to a file (asks for the path; never overwrites)' },

  pullImage: { keys: ['p'], scope: 'images', label: 'pull', help: 'Pull an image from a registry (asks for NAME[:TAG]; runs in the background)' },
  removeImage: { keys: ['d'], scope: 'images', label: 'delete', help: 'Delete the image (asks first; asks again to force when a container uses it)' },
  cancelPull: { keys: ['x'], scope: 'images', label: 'cancel pull', help: 'Cancel the latest pull in flight (a later pull resumes it)' },

  createNetwork: { keys: ['n'], scope: 'networks', label: 'new', help: 'Create a network (asks for its name, then a subnet: Enter for a free one)' },
  removeNetwork: { keys: ['d'], scope: 'networks', label: 'delete', help: 'Delete the network (asks first; refused while a container is on it)' },

  createVolume: { keys: ['n'], scope: 'volumes', label: 'new', help: 'Create a volume (asks for its name: Enter alone for a random one)' },
  removeVolume: { keys: ['d'], scope: 'volumes', label: 'delete', help: 'Delete the volume (asks first; refused while a container uses it)' },
} satisfies Record<string, ActionSpec & { scope: Scope }>;

export type Action = keyof typeof ACTIONS;
export type Bindings = Record<Action, string[]>;

export type ViewName = 'containers' | 'detail' | 'logs' | 'images' | 'networks' | 'volumes' | 'help';

/** The scopes each view consults, first match wins. */
export const VIEW_SCOPES: Record<ViewName, Scope[]> = {
  containers: ['containers', 'container', 'nav', 'global'],
  detail: ['detail', 'container', 'nav', 'global'],
  logs: ['logs', 'nav', 'global'],
  images: ['images', 'nav', 'global'],
  networks: ['networks', 'nav', 'global'],
  volumes: ['volumes', 'nav', 'global'],
  help: ['nav', 'global'],
};

/** What the footer offers in each view, in order (trimmed to the width). */
export const FOOTER: Record<ViewName, Action[]> = {
  containers: ['help', 'open', 'logs', 'exec', 'start', 'stop', 'restart', 'kill', 'pause', 'remove', 'mark', 'filter', 'showAll', 'sortNext', 'create', 'images', 'networks', 'volumes', 'mergedLogs', 'theme', 'quit'],
  detail: ['back', 'signal', 'inspect', 'logs', 'exec', 'shellPane', 'start', 'stop', 'restart', 'kill', 'pause', 'remove', 'help', 'quit'],
  logs: ['back', 'follow', 'search', 'nextMatch', 'prevMatch', 'timestamps', 'wrap', 'saveLogs', 'top', 'bottom', 'help', 'quit'],
  images: ['back', 'pullImage', 'removeImage', 'cancelPull', 'help', 'quit'],
  networks: ['back', 'createNetwork', 'removeNetwork', 'help', 'quit'],
  volumes: ['back', 'createVolume', 'removeVolume', 'help', 'quit'],
  help: ['back', 'quit'],
};

export function defaultBindings(): Bindings {
  return Object.fromEntries(Object.entries(ACTIONS).map(([a, s]) => [a, [...s.keys]])) as Bindings;
}

const NAMED_KEYS = new Set([
  'up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end',
  'enter', 'escape', 'tab', 'shift+tab', 'backspace', 'delete', 'space',
]);

/** The terminal's own keys: quit, redraw, suspend (see Controller.dispatchKey). */
export const RESERVED_KEYS: readonly string[] = ['ctrl+c', 'ctrl+l', 'ctrl+z'];

/** A key name as used in the config: one printable character, a named key, or ctrl+letter (not a reserved one). */
export function isKeyName(k: string): boolean {
  if (NAMED_KEYS.has(k)) return true;
  if (/^ctrl\+[a-z]$/.test(k) && !RESERVED_KEYS.includes(k)) return true;
  return Array.from(k).length === 1 && k > ' ' && k !== '\x7f';
}

/** Ink's key event → our key name (see isKeyName). */
export interface KeyEvent {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  ctrl?: boolean;
  shift?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
  meta?: boolean;
}

export function keyName(input: string, key: KeyEvent): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  // Terminals send DEL (0x7f) for Backspace; Ink 6 reports it as `delete`.
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
  if (input === ' ') return 'space';
  return input;
}

/** Footer/help spelling of a key name. */
export function displayKey(k: string): string {
  const map: Record<string, string> = {
    up: '↑', down: '↓', left: '←', right: '→', pageup: 'PgUp', pagedown: 'PgDn', home: 'Home', end: 'End',
    enter: 'Enter', escape: 'Esc', tab: 'Tab', 'shift+tab': 'S-Tab', backspace: 'Bksp', delete: 'Del', space: 'Space',
  };
  if (map[k]) return map[k];
  if (k.startsWith('ctrl+')) return `^${k.slice(5).toUpperCase()}`;
  return k;
}

/** Maps a key name to the action bound to it in `view`, if any. */
export function createKeymap(bindings: Bindings): (view: ViewName, key: string) => Action | undefined {
  const byScope = new Map<Scope, Map<string, Action>>();
  for (const [action, keys] of Object.entries(bindings) as [Action, string[]][]) {
    const scope = ACTIONS[action].scope;
    let m = byScope.get(scope);
    if (!m) byScope.set(scope, (m = new Map()));
    for (const k of keys) if (!m.has(k)) m.set(k, action);
  }
  return (view, key) => {
    for (const scope of VIEW_SCOPES[view]) {
      const a = byScope.get(scope)?.get(key);
      if (a) return a;
    }
    return undefined;
  };
}

/**
 * Checks that no key means two things in one view. Returns a message such as
 * 'keys.stop: "s" is already bound to start' or undefined.
 */
export function findConflict(bindings: Bindings): string | undefined {
  for (const [view, scopes] of Object.entries(VIEW_SCOPES)) {
    const seen = new Map<string, Action>();
    for (const scope of scopes) {
      for (const [action, keys] of Object.entries(bindings) as [Action, string[]][]) {
        if (ACTIONS[action].scope !== scope) continue;
        for (const k of keys) {
          const other = seen.get(k);
          if (other && other !== action) return `keys.${action}: ${JSON.stringify(k)} is already bound to ${other} (in the ${view} view)`;
          seen.set(k, action);
        }
      }
    }
  }
  return undefined;
}

/** No control characters (a key typed or pasted, not a key sequence). */
export function isPrintable(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\x00-\x1f\x7f]/.test(s);
}

/** A text field's value after a key: Backspace deletes a character, printable input is added; undefined for other keys. */
export function editText(value: string, input: string, name: string, key: KeyEvent): string | undefined {
  if (name === 'backspace') return Array.from(value).slice(0, -1).join('');
  if (input && !key.ctrl && !key.meta && !name.startsWith('ctrl+') && isPrintable(input)) return value + input;
  return undefined;
}

/** A key as Ink's useInput hands it over: the text and the flags. */
export interface KeyPress {
  input: string;
  key: KeyEvent;
}

/** One character of a run read at once → the key Ink reports when it is read alone. */
function charKey(ch: string): KeyPress {
  const code = ch.codePointAt(0) ?? 0;
  if (ch === '\r' || ch === '\n') return { input: '', key: { return: true } };
  if (ch === '\t') return { input: '', key: { tab: true } };
  if (ch === '\x7f' || ch === '\b') return { input: '', key: { delete: true } };
  if (ch === '\x1b') return { input: '', key: { escape: true, meta: true } };
  if (code >= 1 && code <= 26) return { input: String.fromCharCode(code + 96), key: { ctrl: true } };
  if (code < 32) return { input: '', key: {} };
  return { input: ch, key: /[A-Z]/.test(ch) ? { shift: true } : {} };
}

const FLAGS: (keyof KeyEvent)[] = ['upArrow', 'downArrow', 'leftArrow', 'rightArrow', 'pageUp', 'pageDown', 'home', 'end', 'return', 'escape', 'ctrl', 'tab', 'backspace', 'delete', 'meta'];

/**
 * Every key in what Ink read at once. Ink's parser cuts escape sequences out of
 * a read, but hands a run of other bytes over as one `input` ("ee", "j\r",
 * "echo hi\r" — keys sent in one write, typed faster than it reads, or pasted):
 * each character is a key of its own, Enter, Tab, Backspace and Ctrl+letter
 * included. Esc followed quickly by a key reads as Alt+key: that is two keys too.
 */
export function splitKeys(input: string, key: KeyEvent): KeyPress[] {
  const chars = Array.from(input);
  const flagged = FLAGS.some((f) => key[f]);
  if (key.meta && !key.ctrl && chars.length === 1 && isPrintable(input)) {
    return [{ input: '', key: { escape: true } }, { input, key: {} }];
  }
  if (chars.length <= 1 || flagged) return [{ input, key }];
  return chars.map(charKey);
}

/** The bytes a key was read as (for keys that go to the shell instead). */
export function rawKey({ input, key }: KeyPress): string {
  if (key.return) return '\r';
  if (key.tab) return '\t';
  if (key.backspace || key.delete) return '\x7f';
  if (key.escape) return '\x1b';
  if (key.upArrow) return '\x1b[A';
  if (key.downArrow) return '\x1b[B';
  if (key.rightArrow) return '\x1b[C';
  if (key.leftArrow) return '\x1b[D';
  if (key.ctrl && input.length === 1) return String.fromCharCode(input.toLowerCase().charCodeAt(0) - 96);
  return input;
}
