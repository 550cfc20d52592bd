// The Ink root: reads the screen's lines (rows - 1 of them: header, view, status
// line, key footer; see screen.ts) with useSyncExternalStore, draws one line per
// row, and forwards every key to the controller. Staying one line short of the
// terminal keeps Ink 6.8 off its clear-the-screen path (see the research notes).
import React, { useEffect, useLayoutEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { Box, Text, Transform, useInput, useIsScreenReaderEnabled, useStdin, useStdout } from 'ink';
import type { Controller } from '../controller.js';
import { guardHandler, guardInput } from '../input-guard.js';
import type { KeyEvent } from '../keys.js';
import { lineWidth } from '../paint.js';
import { Screen } from '../screen.js';
import type { Size } from '../state.js';

export type { Size };

export interface AppProps {
  controller: Controller;
  /** Whether escape sequences for colour may be written (false: plain text). */
  colors: boolean;
  /** Fixed size (tests); default: the terminal's, following resizes. */
  size?: Size;
}

function useTerminalSize(fixed?: Size): Size {
  const { stdout } = useStdout();
  const read = (): Size => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState<Size>(() => fixed ?? read());
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout, fixed]);
  return fixed ?? size;
}

const blanks = new Map<string, string>();
/** `count` lines of `width` blanks: the same string object each time, so React sees unchanged text. */
function blank(width: number, count: number): string {
  const key = `${width}x${count}`;
  let b = blanks.get(key);
  if (b === undefined) {
    b = Array.from({ length: count }, () => ' '.repeat(width)).join('\n');
    if (blanks.size > 64) blanks.clear();
    blanks.set(key, b);
  }
  return b;
}

/** Consecutive lines drawn by one node: known-width lines together, any other line alone. */
type Block = { known: true; lines: readonly string[] } | { known: false; line: string };

function blocks(lines: readonly string[], width: number, screenReader: boolean): Block[] {
  const out: Block[] = [];
  let run: string[] = [];
  for (const line of lines) {
    const w = screenReader ? undefined : lineWidth(line);
    if (w !== undefined && w <= width) {
      run.push(line);
      continue;
    }
    if (run.length) out.push({ known: true, lines: run });
    run = [];
    out.push({ known: false, line });
  }
  if (run.length) out.push({ known: true, lines: run });
  return out;
}

/**
 * Lines whose width we know exactly (see lineWidth), drawn as one Transform over
 * a block of blanks. Ink measures a Text's content with string-width on every
 * frame and re-measures it in Yoga whenever it changes (keeping every string it
 * ever measured in a cache that never shrinks); React reconciles one element per
 * node. Here the blanks never change, so Yoga never re-measures, the width check
 * stays on string-width's ASCII fast path, and a frame is one element and one
 * node however many lines changed; the transform puts each real line in place
 * when Ink writes the frame (Ink's documented use of Transform: same size in,
 * same size out). Other lines, and everything under a screen reader, are plain
 * truncating Texts, measured by Ink as usual.
 */
function KnownLines({ lines, width }: { lines: readonly string[]; width: number }) {
  return <Transform transform={(_blank: string, i: number) => lines[i] ?? ''}>{blank(width, lines.length)}</Transform>;
}

export function App({ controller, colors, size: fixed }: AppProps) {
  const size = useTerminalSize(fixed);
  const screen = useMemo(() => new Screen(controller, colors), [controller, colors]);
  const lines = useSyncExternalStore(controller.store.subscribe, () => screen.lines(controller.store.get(), size));
  // Paging and scrolling read the size from the store (pageRows in state.ts).
  const { columns, rows } = size;
  useLayoutEffect(() => {
    controller.store.set({ size: { columns, rows } });
  }, [controller, columns, rows]);
  const screenReader = useIsScreenReaderEnabled();
  const { internal_eventEmitter: inputEvents } = useStdin();
  useEffect(() => guardInput(inputEvents, () => controller.info('a key the terminal library cannot read was ignored')), [inputEvents, controller]);
  const onKey = useMemo(() => guardHandler((input: string, key: KeyEvent) => controller.handleKey(input, key)), [controller]);
  useInput(onKey);

  const width = size.columns;
  const height = Math.max(1, size.rows - 1);
  // No overflow="hidden": every line is already fitted to the width and the
  // list to the height, and Ink's clipping re-measures and re-slices every line
  // of every frame (about a sixth of a frame's cost, profiled).
  return (
    <Box flexDirection="column" width={width} height={height}>
      {blocks(lines, width, screenReader).map((b, i) =>
        b.known ? (
          <KnownLines key={i} lines={b.lines} width={width} />
        ) : (
          <Text key={i} wrap="truncate-end">
            {b.line === '' ? ' ' : b.line}
          </Text>
        ),
      )}
    </Box>
  );
}
