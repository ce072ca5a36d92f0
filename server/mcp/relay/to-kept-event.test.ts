import { describe, expect, it } from "vitest";
import { toKeptEvent } from "./to-kept-event";

// What a dropped stream keeps for a resumption: everything of ordinary size as it is; of oversize
// events, an answer as an error with its id, a request as it is (its call waits for the answer), and a
// notification not at all.

const big = "x".repeat(1024 * 1024 + 1);

describe("toKeptEvent", () => {
  it("keeps an event of ordinary size as it is", () => {
    const entry = {
      seq: 3,
      message: { jsonrpc: "2.0", id: 7, result: { content: [] } },
      final: true as const,
    };
    expect(JSON.parse(toKeptEvent(entry) ?? "null")).toEqual(entry);
  });

  it("keeps an oversize answer as an error under the same id, still the stream's last event", () => {
    const kept = toKeptEvent({
      seq: 9,
      message: { jsonrpc: "2.0", id: "call-1", result: { content: [{ type: "text", text: big }] } },
      final: true,
    });
    const parsed = JSON.parse(kept ?? "null");
    expect(parsed).toMatchObject({
      seq: 9,
      final: true,
      message: { jsonrpc: "2.0", id: "call-1", error: { code: -32603 } },
    });
    expect(parsed.message.error.message).toMatch(/too large/);
    expect((kept ?? "").length).toBeLessThan(1_000);
  });

  it("keeps an oversize request relayed to the client, and drops an oversize notification", () => {
    const request = { jsonrpc: "2.0", id: "r-1", method: "sampling/createMessage", params: { text: big } };
    expect(JSON.parse(toKeptEvent({ seq: 2, message: request }) ?? "null").message).toEqual(request);
    const notification = { jsonrpc: "2.0", method: "notifications/message", params: { data: big } };
    expect(toKeptEvent({ seq: 4, message: notification })).toBeNull();
  });
});
