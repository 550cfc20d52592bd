// Keys while the shell pane has the focus: every key is the shell's, as the bytes a
// terminal sends for it, but the focus key (Ctrl-], telnet's escape) that gives the
// keys back to the dashboard, and Shift+PgUp/PgDn (Shift+↑/↓: a line) that scroll the
// pane's scroll-back as terminals do. Ink hands keys over parsed (keys.ts splitKeys):
// this turns them back into the bytes xterm sends, in the cursor-key mode the shell's
// program asked for.
//
// What Ink 6.8's useInput reports (parse-keypress.js, hooks/use-input.js), checked key
// by key in test/unit/pane-keys.test.ts through Ink itself:
// - arrows, Home, End, PgUp, PgDn, Delete with Shift/Alt/Ctrl (xterm's `CSI 1;m X`,
//   `CSI n;m ~`): flags enough to send xterm's sequence back;
// - Alt+letter or digit, Alt+Enter, Alt+Space, Alt+Backspace: `meta`, sent ESC-prefixed;
// - Ctrl+letter, Ctrl+Space (NUL, named "`"), the other control bytes as they came.
// What it drops, so the shell never gets it:
// - F1–F12 (any modifier), Insert, keypad 5: the same empty key with no name;
// - Alt with a key that is not a letter or digit (Alt+., Ctrl+Alt+a): the ESC is cut
//   off and the key arrives plain;
// - the Delete key (`CSI 3 ~`) unmodified, or with Alt: the flags of Backspace (DEL),
//   and Backspace it is (DEL, which is what the pane's pty erases with); Ctrl+H
//   (BS) too;
// - Shift+F1–F4 and F13 and up (`CSI 1;2 P`, `CSI 25 ~`): unnamed, they come as their
//   text without the ESC and are split into characters before the pane sees them;
//   Ctrl+F1–F4 (`CSI 1;5 P`) make Ink itself throw.
import type { KeyEvent, KeyPress } from './keys.js';

/** Ctrl-]: Ink reports it as the raw byte 0x1d (it names only Ctrl-A … Ctrl-Z). */
export function isFocusKey(input: string, key: KeyEvent): boolean {
  return input === '\x1d' || (!!key.ctrl && input === ']');
}

export const FOCUS_KEY_LABEL = '^]';

/** A scroll-back key: lines to scroll (negative: back, into the older lines). Shift+PgUp and
 * Shift+PgDn a page (`page` lines), Shift+↑ and Shift+↓ a line; undefined for other keys. */
export function scrollKey(key: KeyEvent, page: number): number | undefined {
  if (!key.shift || key.ctrl || key.meta) return undefined;
  if (key.pageUp) return -page;
  if (key.pageDown) return page;
  if (key.upArrow) return -1;
  if (key.downArrow) return 1;
  return undefined;
}

/** xterm's modifier parameter: 1 + Shift 1 + Alt 2 + Ctrl 4 (Ink folds Alt and Meta into `meta`). */
function modifiers(key: KeyEvent): number {
  return 1 + (key.shift ? 1 : 0) + (key.meta ? 2 : 0) + (key.ctrl ? 4 : 0);
}

/** The bytes a terminal sends for a key; `appCursor`: the program set DECCKM (vi, top, less). */
export function paneKeyBytes({ input, key }: KeyPress, appCursor = false): string {
  const mod = key.escape ? 1 : modifiers(key);
  // Arrows, Home and End: SS3 in application mode, CSI else; with a modifier always `CSI 1;m X`.
  const cursor = (c: string) => (mod > 1 ? `\x1b[1;${mod}${c}` : appCursor ? `\x1bO${c}` : `\x1b[${c}`);
  const tilde = (n: number) => (mod > 1 ? `\x1b[${n};${mod}~` : `\x1b[${n}~`);
  if (key.upArrow) return cursor('A');
  if (key.downArrow) return cursor('B');
  if (key.rightArrow) return cursor('C');
  if (key.leftArrow) return cursor('D');
  if (key.home) return cursor('H');
  if (key.end) return cursor('F');
  if (key.pageUp) return tilde(5);
  if (key.pageDown) return tilde(6);
  const meta = key.meta && !key.escape ? '\x1b' : '';
  if (key.return) return meta + '\r';
  if (key.tab) return key.shift ? '\x1b[Z' : meta + '\t';
  // Ctrl or Shift: only the Delete key reads so (Backspace comes as a bare DEL or BS).
  if (key.delete && (key.ctrl || key.shift)) return tilde(3);
  if (key.backspace || key.delete) return meta + '\x7f';
  if (key.escape) return '\x1b';
  if (key.ctrl && input.length === 1) {
    if (/[a-z]/i.test(input)) return meta + String.fromCharCode(input.toLowerCase().charCodeAt(0) - 96);
    if (input === '`') return meta + '\x00'; // Ctrl+Space, Ctrl+@: NUL, which Ink names "`"
  }
  return input === '' ? '' : meta + input;
}
