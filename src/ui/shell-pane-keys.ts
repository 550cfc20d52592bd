// Keys while the shell pane has the focus: every key is the shell's, as the bytes a
// terminal sends for it, but the focus key (Ctrl-], telnet's escape) that gives the
// keys back to the dashboard. Ink hands keys over parsed (keys.ts splitKeys): this
// turns them back into bytes, in the cursor-key mode the shell's program asked for.
import type { KeyEvent, KeyPress } from './keys.js';

/** Ctrl-]: Ink reports it as the raw byte 0x1d (it names only Ctrl-A … Ctrl-Z). */
export function isFocusKey(input: string, key: KeyEvent): boolean {
  return input === '\x1d' || (!!key.ctrl && input === ']');
}

export const FOCUS_KEY_LABEL = '^]';

/** The bytes a terminal sends for a key; `appCursor`: the program set DECCKM (vi, top, less). */
export function paneKeyBytes({ input, key }: KeyPress, appCursor = false): string {
  const meta = key.meta && !key.escape ? '\x1b' : '';
  const arrow = (c: string) => meta + (appCursor ? `\x1bO${c}` : `\x1b[${c}`);
  if (key.upArrow) return arrow('A');
  if (key.downArrow) return arrow('B');
  if (key.rightArrow) return arrow('C');
  if (key.leftArrow) return arrow('D');
  if (key.home) return meta + (appCursor ? '\x1bOH' : '\x1b[H');
  if (key.end) return meta + (appCursor ? '\x1bOF' : '\x1b[F');
  if (key.pageUp) return meta + '\x1b[5~';
  if (key.pageDown) return meta + '\x1b[6~';
  if (key.return) return meta + '\r';
  if (key.tab) return key.shift ? '\x1b[Z' : meta + '\t';
  if (key.backspace || key.delete) return meta + '\x7f';
  if (key.escape) return '\x1b';
  if (key.ctrl && input.length === 1 && /[a-z]/i.test(input)) return meta + String.fromCharCode(input.toLowerCase().charCodeAt(0) - 96);
  if (input === '' ) return '';
  return meta + input;
}
