// The JSON-RPC messages of an `application/json` body. Usually one JSON value; some servers stream
// several as newline-delimited JSON under that content type (the conformance reference server answers
// some 2026-07-28 calls and its subscriptions/listen so), and each must be relayed as it arrives, not
// when the body ends. The first line tells which: a line that is a complete JSON value starts NDJSON;
// anything else (one pretty-printed value over many lines) is read whole. Blank lines are skipped.

export async function* readJsonMessages(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = "";
  let mode: "unknown" | "ndjson" | "whole" = "unknown";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (mode !== "whole") {
        for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n")) {
          const line = buffer.slice(0, newline).trim();
          if (line === "") {
            buffer = buffer.slice(newline + 1);
            continue;
          }
          let message: unknown;
          try {
            message = JSON.parse(line);
          } catch (error) {
            if (mode === "ndjson") throw error;
            mode = "whole";
            break;
          }
          mode = "ndjson";
          buffer = buffer.slice(newline + 1);
          yield message;
        }
      }
      if (done) break;
    }
    if (buffer.trim() !== "") yield JSON.parse(buffer);
  } finally {
    reader.releaseLock();
  }
}
