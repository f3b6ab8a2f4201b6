/**
 * `head` and `rows` (one line of text a cell) as a boxed table, drawn as cli-table3 draws it by default
 * (a rule between rows, a space each side of a cell, left-aligned; wide characters count two columns),
 * in time linear in its cells: cli-table3 takes half a second to lay out a thousand rows.
 */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map(
    (h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))) + 2,
  );
  const rule = (left: string, mid: string, right: string) =>
    `${left}${widths.map((w) => '─'.repeat(w)).join(mid)}${right}`;
  const line = (cells: readonly string[]) =>
    `│${widths.map((w, i) => ` ${cells[i] ?? ''}${' '.repeat(w - 1 - displayWidth(cells[i] ?? ''))}`).join('│')}│`;
  const between = rule('├', '┼', '┤');
  const body = [line(head), ...rows.map(line)].join(`\n${between}\n`);
  return `${rule('┌', '┬', '┐')}\n${body}\n${rule('└', '┴', '┘')}`;
}

/** An emoji shown as a picture: two columns, as string-width counts it (with its modifiers and joins). */
const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F/u;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Columns `text` takes in a terminal: wide (East Asian) characters and emoji two, control and combining marks none. */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (EMOJI.test(segment)) {
      width += 2;
      continue;
    }
    // A base character and the marks that combine with it: the base decides.
    const code = segment.codePointAt(0) as number;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || (code >= 0x300 && code <= 0x36f)) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

/** East Asian wide and fullwidth code points (the ranges string-width, and so cli-table3, uses). */
function isWide(code: number): boolean {
  return (
    code >= 0x1100 &&
    (code <= 0x115f ||
      code === 0x2329 ||
      code === 0x232a ||
      (code >= 0x2e80 && code <= 0x3247 && code !== 0x303f) ||
      (code >= 0x3250 && code <= 0x4dbf) ||
      (code >= 0x4e00 && code <= 0xa4c6) ||
      (code >= 0xa960 && code <= 0xa97c) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe10 && code <= 0xfe19) ||
      (code >= 0xfe30 && code <= 0xfe6b) ||
      (code >= 0xff01 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x1b000 && code <= 0x1b001) ||
      (code >= 0x1f200 && code <= 0x1f251) ||
      (code >= 0x20000 && code <= 0x3fffd))
  );
}
