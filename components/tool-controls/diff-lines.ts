// A line diff of two pretty-printed texts for the review of a changed tool: which lines of the old text
// are gone and which of the new text are new. Longest common subsequence over lines; tool definitions
// are a few hundred lines at most, so the quadratic table is small.

export type TDiffLine = { text: string; changed: boolean };

/** Beyond this many lines on either side, every line is shown as changed rather than computing a table. */
const MAX_LINES = 2000;

export function diffLines(before: string, after: string): { before: TDiffLine[]; after: TDiffLine[] } {
  const a = before.split("\n");
  const b = after.split("\n");
  if (a.length > MAX_LINES || b.length > MAX_LINES) {
    const all = (lines: string[]) => lines.map((text) => ({ text, changed: before !== after }));
    return { before: all(a), after: all(b) };
  }
  // at(i, j): length of the longest common subsequence of a[i..] and b[j..], in one flat table.
  const width = b.length + 1;
  const lcs = new Int32Array((a.length + 1) * width);
  const at = (i: number, j: number) => lcs[i * width + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i * width + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const keptA = new Set<number>();
  const keptB = new Set<number>();
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      keptA.add(i++);
      keptB.add(j++);
    } else if (at(i + 1, j) >= at(i, j + 1)) i += 1;
    else j += 1;
  }
  return {
    before: a.map((text, index) => ({ text, changed: !keptA.has(index) })),
    after: b.map((text, index) => ({ text, changed: !keptB.has(index) })),
  };
}
