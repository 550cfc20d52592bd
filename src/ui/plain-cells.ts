// Characters whose width is certain: one UTF-16 unit, one terminal column, a
// grapheme cluster of their own whatever is next to them, not full-width. Printable
// ASCII and the glyphs the views draw (·, …, ›, box drawing, blocks, ▲, ▼, ●,
// braille). Lines made of these (and SGR sequences) need no measuring by Ink
// (components/App.tsx) and tokenise by shape (ink-output-cache.ts);
// test/ui/ink-output-cache.test.ts checks each one against ink's tokenizer and
// string-width.

export function isPlainCell(c: number): boolean {
  return (
    (c >= 0x20 && c < 0x7f) ||
    c === 0xb7 ||
    c === 0x2026 ||
    c === 0x203a ||
    (c >= 0x2500 && c <= 0x259f) ||
    c === 0x25b2 ||
    c === 0x25bc ||
    c === 0x25cf ||
    (c >= 0x2800 && c <= 0x28ff)
  );
}
