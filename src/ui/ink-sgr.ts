// What Ink 6.8's Output writes for one row of SGR sequences and plain cells
// (paint.ts lineWidth), for the first frame drawn before Ink loads (first-frame.ts).
//
// Ink serialises a row through @alcalzone/ansi-tokenize 0.2: each character gets the
// list of SGR codes in force (reduced), and before each character it writes the
// difference from the previous character's list, closing what is open after the
// last one. Between two characters with the same list nothing is written, so a
// run of text between escapes gets the difference once, as its first character.
// The rules below are that library's (reduce.js, diff.js, undo.js, ansiCodes.js,
// with ansi-styles 6's table of codes), written out here because importing it
// builds an Intl.Segmenter as it loads: ~20-40 ms of the first frame's ~10 ms
// budget. test/ui/first-frame.test.tsx checks them against the library itself.

interface Code {
  code: string;
  endCode: string;
}

const sgr = (n: number) => `\x1b[${n}m`;
const RESET = sgr(0);
const BOLD = sgr(1);
const DIM = sgr(2);

/** ansi-styles 6's codes: start → end. */
const CODES = new Map<number, number>([
  [0, 0],
  [1, 22],
  [2, 22],
  [3, 23],
  [4, 24],
  [53, 55],
  [7, 27],
  [8, 28],
  [9, 29],
  ...[30, 31, 32, 33, 34, 35, 36, 37, 90, 91, 92, 93, 94, 95, 96, 97].map((n): [number, number] => [n, 39]),
  ...[40, 41, 42, 43, 44, 45, 46, 47, 100, 101, 102, 103, 104, 105, 106, 107].map((n): [number, number] => [n, 49]),
]);
const END_CODES = new Set([...CODES.values()].map(sgr));

function endCodeOf(code: string): string {
  if (END_CODES.has(code)) return code;
  const params = code.slice(2);
  if (params.startsWith('38')) return sgr(39);
  if (params.startsWith('48')) return sgr(49);
  const end = CODES.get(parseInt(params, 10));
  return end === undefined ? RESET : sgr(end);
}

/** One SGR sequence split as the tokenizer splits compound ones (`1;31` → `1`, `31`; `38;5;n` stays whole). */
function splitSequence(seq: string): Code[] {
  if (!seq.includes(';')) return [{ code: seq, endCode: endCodeOf(seq) }];
  const parts = seq.slice(2, -1).split(';');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === '38' || p === '48') {
      if (i + 2 < parts.length && parts[i + 1] === '5') {
        out.push(parts.slice(i, i + 3).join(';'));
        i += 2;
        continue;
      } else if (i + 4 < parts.length && parts[i + 1] === '2') {
        out.push(parts.slice(i, i + 5).join(';'));
        i += 4;
        continue;
      }
    }
    out.push(p);
  }
  return out.map((p) => {
    const code = `\x1b[${p}m`;
    return { code, endCode: endCodeOf(code) };
  });
}

const isIntensity = (c: Code) => c.code === BOLD || c.code === DIM;

function reduce(codes: readonly Code[], added: readonly Code[]): Code[] {
  let ret = [...codes];
  for (const code of added) {
    if (code.code === RESET) ret = [];
    else if (END_CODES.has(code.code)) ret = ret.filter((c) => c.endCode !== code.code);
    else if (isIntensity(code)) {
      // Bold and dim both end with 22 and can be on together.
      if (!ret.find((c) => c.code === code.code && c.endCode === code.endCode)) ret.push(code);
    } else {
      ret = ret.filter((c) => c.endCode !== code.endCode);
      ret.push(code);
    }
  }
  return ret;
}

function diff(from: readonly Code[], to: readonly Code[]): Code[] {
  const endsInTo = new Set(to.map((c) => c.endCode));
  const startsInTo = new Set(to.map((c) => c.code));
  const startsInFrom = new Set(from.map((c) => c.code));
  const undone = reduce(
    [],
    from.filter((c) => (isIntensity(c) ? !startsInTo.has(c.code) : !endsInTo.has(c.endCode))),
  )
    .reverse()
    .map((c) => ({ ...c, code: c.endCode }));
  return [...undone, ...to.filter((c) => !startsInFrom.has(c.code))];
}

const codesText = (codes: readonly Code[]) => [...new Set(codes.map((c) => c.code))].join('');

const sequenceCache = new Map<string, Code[]>();
/** The codes of a run of SGR sequences (a few distinct runs per frame). */
function runCodes(run: string): Code[] {
  let codes = sequenceCache.get(run);
  if (!codes) {
    codes = [];
    for (let i = 0; i < run.length; ) {
      const end = run.indexOf('m', i) + 1;
      codes.push(...splitSequence(run.slice(i, end)));
      i = end;
    }
    sequenceCache.set(run, codes);
  }
  return codes;
}

/**
 * The row Ink's Output writes for `line`, which must be SGR sequences (ESC [
 * digits and semicolons m) and plain cells only: its end trimmed, as Ink trims it.
 */
export function inkSgrRow(line: string): string {
  let out = '';
  let styles: Code[] = [];
  let shown: Code[] = [];
  let any = false;
  let i = 0;
  while (i < line.length) {
    let j = i;
    while (j < line.length && line.charCodeAt(j) === 0x1b) j = line.indexOf('m', j) + 1;
    if (j > i) styles = reduce(styles, runCodes(line.slice(i, j)));
    i = j;
    while (j < line.length && line.charCodeAt(j) !== 0x1b) j++;
    if (j === i) continue;
    out += codesText(diff(shown, styles)) + line.slice(i, j);
    shown = styles;
    any = true;
    i = j;
  }
  if (any) out += codesText(diff(shown, []));
  return out.trimEnd();
}
