import { describe, expect, it } from "vitest";
import { createEventStream } from "./create-event-stream";

// A stream's events wait in memory until the client reads them; one that stops reading is let go.

describe("createEventStream", () => {
  it("ends a stream whose client stopped reading once too many events wait", () => {
    const stream = createEventStream({ kind: "listen" });
    for (let i = 0; i < 3_000; i += 1)
      stream.send({ jsonrpc: "2.0", method: "notifications/message", params: { i } });
    expect(stream.closed.aborted).toBe(false);
    for (let i = 0; i < 2_000; i += 1)
      stream.send({ jsonrpc: "2.0", method: "notifications/message", params: { i } });
    expect(stream.closed.aborted).toBe(true);
  });

  it("delivers every event to a client that keeps reading, in order, with its id", async () => {
    const stream = createEventStream({ kind: "listen" });
    const reader = (stream.response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (let batch = 0; batch < 5; batch += 1) {
      for (let i = 0; i < 2_000; i += 1) stream.send({ n: batch * 2_000 + i }, `s.${batch * 2_000 + i}`);
      const last = `"n":${batch * 2_000 + 1_999}}`;
      while (!text.includes(last)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    }
    expect(stream.closed.aborted).toBe(false);
    const ids = text.match(/^id: s\.\d+$/gm) ?? [];
    expect(ids.length).toBe(10_000);
    expect(ids.at(-1)).toBe("id: s.9999");
    stream.close();
  });
});
