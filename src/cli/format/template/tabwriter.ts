// Go's text/tabwriter as docker configures it (minwidth 10, padding 3, spaces): cells
// end at a tab; consecutive lines with a cell in a column form a block padded to its
// widest cell + 3; the text after a line's last tab is not part of any column.

interface Line {
  cells: string[];
  widths: number[];
}

function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function tabwrite(text: string, minwidth = 10, padding = 3): string {
  const lines: Line[] = text.split('\n').map((l) => {
    const cells = l.split('\t');
    return { cells, widths: cells.map(width) };
  });
  // The text after the last newline is a line of its own (usually empty).
  const out: string[] = [];
  const colWidths: number[] = [];

  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const { cells, widths } = lines[i];
      let s = '';
      cells.forEach((c, j) => {
        s += c;
        if (j < colWidths.length && j < cells.length - 1) s += ' '.repeat(Math.max(0, colWidths[j] - widths[j]));
      });
      out.push(s);
    }
  };

  const format = (line0: number, line1: number) => {
    const column = colWidths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t].cells.length - 1) continue;
      writeLines(line0, t);
      line0 = t;
      let w = minwidth;
      for (; t < line1; t++) {
        const l = lines[t];
        if (column >= l.cells.length - 1) break;
        w = Math.max(w, l.widths[column] + padding);
      }
      colWidths.push(w);
      format(line0, t);
      colWidths.pop();
      line0 = t;
      t--;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n');
}
