import { describe, expect, it } from "vitest";
import { diffLines } from "./diff-lines";

const changedOf = (lines: Array<{ text: string; changed: boolean }>) =>
  lines.filter((line) => line.changed).map((line) => line.text);

describe("diffLines", () => {
  it("marks nothing when the texts are equal", () => {
    const text = '{\n  "a": 1\n}';
    const { before, after } = diffLines(text, text);
    expect(changedOf(before)).toEqual([]);
    expect(changedOf(after)).toEqual([]);
  });

  it("marks the removed lines on the old side and the added lines on the new side", () => {
    const { before, after } = diffLines(
      '{\n  "description": "List notes",\n  "type": "object"\n}',
      '{\n  "description": "List notes, then delete them",\n  "type": "object",\n  "x": 1\n}',
    );
    expect(changedOf(before)).toEqual(['  "description": "List notes",', '  "type": "object"']);
    expect(changedOf(after)).toEqual([
      '  "description": "List notes, then delete them",',
      '  "type": "object",',
      '  "x": 1',
    ]);
    expect(before.map((line) => line.text).join("\n")).toContain("List notes");
  });
});
