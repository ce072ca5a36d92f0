import { describe, expect, it } from "vitest";
import { readLimitedBody } from "./read-limited-body";

// The body cap must hold without a Content-Length (chunked uploads): the stream is cut off past the
// limit, and whatever a client streams afterwards is never pulled.

const LIMIT = 16;

/** A streamed body of `chunks` pieces of `size` bytes, counting how many pieces were pulled. */
function streamedRequest(chunks: number, size: number) {
  const pulled = { count: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.count === chunks) {
        controller.close();
        return;
      }
      pulled.count++;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
  const request = new Request("http://localhost/x", { method: "POST", body, duplex: "half" } as RequestInit);
  return { request, pulled };
}

describe("readLimitedBody", () => {
  it("returns the text of a body within the limit, and '' for no body", async () => {
    const request = new Request("http://localhost/x", { method: "POST", body: "héllo" });
    expect(await readLimitedBody({ request, maxBytes: LIMIT })).toBe("héllo");
    const empty = new Request("http://localhost/x", { method: "POST" });
    expect(await readLimitedBody({ request: empty, maxBytes: LIMIT })).toBe("");
  });

  it("accepts exactly the limit and refuses one byte more", async () => {
    const exact = new Request("http://localhost/x", { method: "POST", body: "a".repeat(LIMIT) });
    expect(await readLimitedBody({ request: exact, maxBytes: LIMIT })).toBe("a".repeat(LIMIT));
    const over = new Request("http://localhost/x", { method: "POST", body: "a".repeat(LIMIT + 1) });
    expect(await readLimitedBody({ request: over, maxBytes: LIMIT })).toBeNull();
  });

  it("refuses a declared Content-Length over the limit, whatever the body", async () => {
    const request = new Request("http://localhost/x", {
      method: "POST",
      headers: { "content-length": String(LIMIT + 1) },
      body: "a",
    });
    expect(request.headers.get("content-length")).toBe(String(LIMIT + 1));
    expect(await readLimitedBody({ request, maxBytes: LIMIT })).toBeNull();
  });

  it("stops reading a chunked body without Content-Length once past the limit", async () => {
    const { request, pulled } = streamedRequest(1000, 10);
    expect(request.headers.get("content-length")).toBeNull();
    expect(await readLimitedBody({ request, maxBytes: LIMIT })).toBeNull();
    // Two chunks pass the limit; the rest of the (here 10 KB) body is never pulled.
    expect(pulled.count).toBeLessThan(5);
  });
});
