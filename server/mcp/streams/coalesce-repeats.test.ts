import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createCoalescer } from "./coalesce-repeats";

// Repeated change notifications within the window go out once at once and once more at its end, so
// the client always looks again after the last change; other keys are independent.

describe("createCoalescer", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends the first at once and one trailing send for the repeats of the window", () => {
    const { coalesce } = createCoalescer(250);
    const sent: string[] = [];
    coalesce("tools", () => sent.push("tools 1"));
    vi.advanceTimersByTime(10);
    coalesce("tools", () => sent.push("tools 2"));
    coalesce("tools", () => sent.push("tools 3"));
    coalesce("prompts", () => sent.push("prompts 1"));
    expect(sent).toEqual(["tools 1", "prompts 1"]);
    vi.advanceTimersByTime(240);
    expect(sent).toEqual(["tools 1", "prompts 1", "tools 2"]);
    vi.advanceTimersByTime(1_000);
    expect(sent).toHaveLength(3);
    coalesce("tools", () => sent.push("tools 4"));
    expect(sent.at(-1)).toBe("tools 4");
  });

  it("sends what still waits at once when flushed, and nothing twice", () => {
    const { coalesce, flush } = createCoalescer(250);
    const sent: string[] = [];
    coalesce("tools", () => sent.push("tools 1"));
    coalesce("tools", () => sent.push("tools 2"));
    flush();
    expect(sent).toEqual(["tools 1", "tools 2"]);
    vi.advanceTimersByTime(1_000);
    expect(sent).toEqual(["tools 1", "tools 2"]);
  });
});
