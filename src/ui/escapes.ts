// The terminal sequences the session and the first frame write: shared so the first
// frame (first-frame.ts, drawn before Ink loads) and Ink's frames (session.tsx)
// put exactly the same bytes around a frame.

/** The alternate screen, cleared, the cursor home. */
export const ALT_ON = '\x1b[?1049h\x1b[H\x1b[2J';
export const ALT_OFF = '\x1b[?1049l';
export const SHOW_CURSOR = '\x1b[?25h';
/** As Ink (cli-cursor) hides it before its first frame. */
export const HIDE_CURSOR = '\x1b[?25l';
export const RESET = '\x1b[0m';
export const HOME = '\x1b[H';
export const ERASE_BELOW = '\x1b[J';
