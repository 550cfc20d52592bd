// The Ink root: reads the store with useSyncExternalStore, builds the screen as
// rows - 1 lines (header, view, status line, key footer) from the pure view
// functions, and forwards every key to the controller. Staying one line short of
// the terminal keeps Ink 6.8 off its clear-the-screen path (see the research notes).
import React, { memo, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Box, Text, Transform, useInput, useIsScreenReaderEnabled, useStdout } from 'ink';
import type { Controller } from '../controller.js';
import { makePainter, type Painter } from '../paint.js';
import type { UiState } from '../state.js';
import { detailLines } from '../views/detail.js';
import { footerLine, formLines, headerLine, helpLines, helpWindow, imagesLines, statusLine } from '../views/chrome.js';
import { logsLines } from '../views/logs.js';
import { scrollTop, tableLines } from '../views/table.js';
import { fit } from '../format.js';
import { lineWidth } from '../paint.js';

export interface Size {
  columns: number;
  rows: number;
}

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

const blanks: string[] = [];
/** The same string object for every line of a width, so React sees unchanged text. */
function blank(width: number): string {
  return (blanks[width] ??= ' '.repeat(width));
}

/**
 * One screen line. Ink measures a Text's content with string-width on every
 * frame and re-measures it in Yoga whenever it changes (caching every string it
 * ever measured, forever). A line whose width we know exactly (see lineWidth)
 * is instead a Transform over a row of blanks: the blanks never change, so Yoga
 * never re-measures and the width check stays on string-width's ASCII fast
 * path; the transform puts the real line in place when Ink writes the frame
 * (Ink's documented use of Transform: same width in, same width out). Other
 * lines, and everything under a screen reader, are plain truncating Texts.
 */
const Line = memo(function Line({ text, width }: { text: string; width: number }) {
  const screenReader = useIsScreenReaderEnabled();
  const w = lineWidth(text);
  if (screenReader || w === undefined || w > width) return <Text wrap="truncate-end">{text === '' ? ' ' : text}</Text>;
  return <Transform transform={() => text}>{blank(width)}</Transform>;
});

const MIN_COLUMNS = 40;
const MIN_ROWS = 8;

export function App({ controller, colors, size: fixed }: AppProps) {
  const st = useSyncExternalStore(controller.store.subscribe, controller.store.get);
  const size = useTerminalSize(fixed);
  const tableTop = useRef(0);
  const painterRef = useRef<{ theme: unknown; p: Painter } | undefined>(undefined);
  if (!painterRef.current || painterRef.current.theme !== st.theme) {
    painterRef.current = { theme: st.theme, p: makePainter(st.theme, colors) };
  }
  const p = painterRef.current.p;

  useInput((input, key) => controller.handleKey(input, key));

  const width = size.columns;
  const height = Math.max(1, size.rows - 1);
  let lines: string[];
  if (width < MIN_COLUMNS || height < MIN_ROWS - 1) {
    lines = [fit(`hutch needs at least ${MIN_COLUMNS}×${MIN_ROWS} (now ${size.columns}×${size.rows})`, width)];
  } else {
    const bodyHeight = height - 3;
    let body: string[];
    try {
      body = viewLines(controller, st, p, width, bodyHeight, tableTop);
    } catch (e) {
      body = [p.fg('error', fit(`this view failed: ${(e as Error).message} (Esc goes back)`, width))];
    }
    const visibleCount = controller.visible(st).length;
    lines = [headerLine(st, p, width), ...body.slice(0, bodyHeight)];
    while (lines.length < height - 2) lines.push('');
    lines.push(statusLine(st, visibleCount, p, width), footerLine(st.view, controller.bindings, p, width));
  }
  // No overflow="hidden": every line is already fitted to the width and the
  // list to the height, and Ink's clipping re-measures and re-slices every line
  // of every frame (about a sixth of a frame's cost, profiled).
  return (
    <Box flexDirection="column" width={width} height={height}>
      {lines.map((l, i) => (
        <Line key={i} text={l} width={width} />
      ))}
    </Box>
  );
}

function viewLines(
  controller: Controller,
  st: UiState,
  p: Painter,
  width: number,
  height: number,
  tableTop: { current: number },
): string[] {
  if (st.dialog?.kind === 'form') return formLines(st.dialog, p, width);
  switch (st.view) {
    case 'help':
      controller.pageRows = height;
      return helpWindow(helpLines(controller.bindings, p, width), st.helpTop, height);
    case 'images':
      controller.pageRows = height - 2;
      return imagesLines(st, p, width, height);
    case 'logs':
      controller.pageRows = height - 1;
      return st.logs ? logsLines(st.logs, p, width, height) : [];
    case 'detail': {
      const c = st.detail && st.containers.find((x) => x.id === st.detail!.id);
      if (!c || !st.detail) return [p.fg('dim', 'the container is gone (Esc goes back)')];
      return detailLines(
        { c, detail: st.detail, sample: st.samples.get(c.id), history: controller.history(c.id), now: st.now },
        p,
        width,
        height,
      );
    }
    case 'containers': {
      const rows = controller.visible(st);
      const selected = controller.selectedIndex(st);
      controller.pageRows = height - 1;
      tableTop.current = scrollTop(tableTop.current, Math.max(0, selected), height - 1, rows.length);
      return tableLines(
        { st, rows, selected, top: tableTop.current, history: (id) => controller.history(id).cpu, bindings: controller.bindings },
        p,
        width,
        height,
      );
    }
  }
}
