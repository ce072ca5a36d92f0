import { describe, expect, it } from "vitest";
import { isSuccessfulToolResult } from "./read-json-rpc-response";

// The bench fails on any response that is not a successful tool result, in either transport form.

const sse = (...messages: unknown[]) =>
  messages.map((message) => `event: message\ndata: ${JSON.stringify(message)}\n\n`).join("");

const ok = { jsonrpc: "2.0", id: "a", result: { content: [{ type: "text", text: "[]" }] } };

describe("isSuccessfulToolResult", () => {
  it("accepts a result as JSON and as the last event of an SSE stream after notifications", () => {
    expect(isSuccessfulToolResult(JSON.stringify(ok))).toBe(true);
    expect(
      isSuccessfulToolResult(sse({ jsonrpc: "2.0", method: "notifications/progress", params: {} }, ok)),
    ).toBe(true);
  });

  it.each([
    ["a JSON-RPC error", JSON.stringify({ jsonrpc: "2.0", id: "a", error: { code: -32602, message: "x" } })],
    ["a tool error", JSON.stringify({ jsonrpc: "2.0", id: "a", result: { isError: true, content: [] } })],
    ["an SSE error", sse({ jsonrpc: "2.0", id: "a", error: { code: -32603, message: "x" } })],
    ["a stream without a response", sse({ jsonrpc: "2.0", method: "notifications/progress" })],
    ["an empty body", ""],
    ["HTML", "<html>404</html>"],
  ])("refuses %s", (_, body) => {
    expect(isSuccessfulToolResult(body)).toBe(false);
  });
});
