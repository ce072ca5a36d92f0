import { describe, expect, it } from "vitest";
import { callEventId, parseEventId, sessionEventId, streamLogKey, streamResumedKey } from "./stream-log-keys";

// The SSE event ids Tumiki gives 2025 clients, and what a Last-Event-ID a client sends back points at:
// only ids of Tumiki's own shapes are followed; anything else is ignored (a fresh session stream).

const STREAM = "AbCdEfGh_-123456";

describe("parseEventId", () => {
  it("reads back the ids Tumiki gives: a call's stream and a session's GET stream", () => {
    expect(parseEventId(callEventId(STREAM, 0))).toEqual({ kind: "call", streamId: STREAM, seq: 0 });
    expect(parseEventId(callEventId(STREAM, 42))).toEqual({ kind: "call", streamId: STREAM, seq: 42 });
    expect(parseEventId(sessionEventId("1796668212029-0"))).toEqual({
      kind: "session",
      logId: "1796668212029-0",
    });
  });

  it("reads back the priming id of a session stream whose event log was empty (s.0)", () => {
    // open-session-stream.ts primes with sessionEventId(lastLogId), and lastLogId is "0" for an empty
    // log: a client that resumes from that id must resume from the log's start, not afresh.
    expect(parseEventId(sessionEventId("0"))).toEqual({ kind: "session", logId: "0" });
  });

  it.each([
    ["empty", ""],
    ["garbage", "garbage"],
    ["a stream id too short", "c.short.1"],
    ["a stream id too long", `c.${STREAM}x.1`],
    ["a stream id with a character outside base64url", "c.AbCdEfGh_-12345!.1"],
    ["no sequence number", `c.${STREAM}.`],
    ["a sequence number that is not a number", `c.${STREAM}.x`],
    ["a negative sequence number", `c.${STREAM}.-1`],
    ["a sequence number over nine digits", `c.${STREAM}.1234567890`],
    ["trailing text", `c.${STREAM}.1 `],
    ["a log id without its sequence", "s.1796668212029"],
    ["a log id that is not one", "s.not-a-log-id"],
    ["another server's event id", "_GET_stream::00000001"],
    ["an unknown kind", `x.${STREAM}.1`],
  ])("ignores %s", (_, value) => {
    expect(parseEventId(value)).toBeNull();
  });
});

describe("stream log keys", () => {
  it("name the client's session, so a Last-Event-ID reaches only streams of its own session", () => {
    expect(streamLogKey("session-a", STREAM)).not.toBe(streamLogKey("session-b", STREAM));
    expect(streamLogKey("session-a", STREAM)).toContain("session-a");
    expect(streamResumedKey("session-a", STREAM)).not.toBe(streamResumedKey("session-b", STREAM));
    expect(streamResumedKey("session-a", STREAM)).not.toBe(streamLogKey("session-a", STREAM));
  });
});
