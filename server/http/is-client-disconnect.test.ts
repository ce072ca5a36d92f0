import { describe, expect, it } from "vitest";
import { isClientDisconnect } from "./is-client-disconnect";

// What counts as "the client went away" (logged at debug) and what does not (logged as it was).

function closedControllerError(): unknown {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  controller?.close();
  try {
    controller?.enqueue(new Uint8Array(1));
  } catch (error) {
    return error;
  }
  throw new Error("enqueue on a closed controller did not throw");
}

describe("isClientDisconnect", () => {
  it("recognises a client that went away", () => {
    const aborted = new AbortController();
    aborted.abort();
    expect(isClientDisconnect({ error: new Error("anything"), signal: aborted.signal })).toBe(true);
    // Node's IncomingMessage when the connection closes mid-body.
    expect(isClientDisconnect({ error: Object.assign(new Error("aborted"), { code: "ECONNRESET" }) })).toBe(
      true,
    );
    expect(isClientDisconnect({ error: new DOMException("This operation was aborted", "AbortError") })).toBe(
      true,
    );
    const responseAborted = Object.assign(new Error(""), { name: "ResponseAborted" });
    expect(isClientDisconnect({ error: responseAborted })).toBe(true);
    expect(isClientDisconnect({ error: closedControllerError() })).toBe(true);
  });

  it("leaves Tumiki's own deadlines and other resets alone", () => {
    expect(isClientDisconnect({ error: new DOMException("The operation timed out", "TimeoutError") })).toBe(
      false,
    );
    // A database or backend connection reset is not the client's.
    expect(
      isClientDisconnect({ error: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }),
    ).toBe(false);
    expect(isClientDisconnect({ error: new Error("relation does not exist") })).toBe(false);
    expect(isClientDisconnect({ error: "aborted" })).toBe(false);
    expect(isClientDisconnect({ error: new Error("x"), signal: new AbortController().signal })).toBe(false);
  });
});
