// The text of the demo backend's generate_text tool: ASCII (one byte per character), so `bytes` is both
// its length and its UTF-8 size, and numbered lines, so a result cut, reordered or spliced anywhere
// differs from the expected one (tests compare what came through a proxy against this).

const LINE_LENGTH = 64;

export function generateDemoText({ bytes }: { bytes: number }): string {
  const lines: string[] = [];
  let size = 0;
  for (let line = 0; size < bytes; line += 1) {
    const text = `${String(line).padStart(8, "0")} `.padEnd(LINE_LENGTH - 1, "abcdefghijklmnopqrstuvwxyz");
    lines.push(`${text}\n`);
    size += LINE_LENGTH;
  }
  return lines.join("").slice(0, bytes);
}
