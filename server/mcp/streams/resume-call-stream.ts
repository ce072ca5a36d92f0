import { randomBytes } from "node:crypto";
import { getRedis } from "../../redis";
import { followLog } from "../../redis/follow-log";
import type { TMcpSessionHandle } from "../mcp-session-schemas";
import { RETRY_MS, STREAM_LOG_TTL_MS } from "../relay/client-reply";
import { callEventId, streamLogKey, streamResumedKey } from "../relay/stream-log-keys";
import { ZStreamLogEntry } from "../relay/to-kept-event";
import { acquireStreamSlot } from "./acquire-stream-slot";
import { createEventStream } from "./create-event-stream";
import { watchCredential } from "./watch-credential";

// A 2025 client resumes the stream of a call it dropped (GET with Last-Event-ID `c.<stream>.<n>`,
// MCP 2025-11-25 resumability), at any app process: the process that runs the call wrote everything
// from the last events the client may have missed onwards to the stream's log (relay/client-reply.ts).
// This replays what came after event n and follows the log until the call's last message. The log is
// found under the client's own session: a Last-Event-ID can never reach another session's stream.
// Marking the stream resumed keeps the call from being abandoned; only a stream whose log exists
// marks it, so ids made up by a client leave nothing behind. Like every long-lived stream it holds one
// of the user's stream slots and ends when its credential no longer holds.

/** How long a resumed stream waits for its first event: the dropped call may be writing it just now. */
const FIRST_EVENT_TIMEOUT_MS = 10_000;
/** Below the route's maxDuration (300 s). */
const DEADLINE_MS = 290_000;

export async function resumeCallStream({
  handle,
  streamId,
  after,
  recheckAuth,
}: {
  handle: TMcpSessionHandle;
  streamId: string;
  after: number;
  recheckAuth: () => Promise<boolean>;
}): Promise<Response> {
  const logKey = streamLogKey(handle.key, streamId);
  const resumedKey = streamResumedKey(handle.key, streamId);
  const slot = await acquireStreamSlot({ userId: handle.session.userId });
  // Each resumption marks the stream with its own token, so an older resumption that ends does not
  // unmark a newer one that still follows the call.
  const token = randomBytes(12).toString("base64url");
  let marked = false;
  const stream = createEventStream({ kind: "call" });
  stream.prime(callEventId(streamId, after), RETRY_MS);
  watchCredential({ recheckAuth, signal: stream.closed, onRevoked: () => stream.close() });
  const run = async () => {
    const signal = AbortSignal.any([stream.closed, AbortSignal.timeout(DEADLINE_MS)]);
    const quiet = new AbortController();
    const firstEventDeadline = setTimeout(() => quiet.abort(), FIRST_EVENT_TIMEOUT_MS);
    try {
      for await (const entry of followLog({
        key: logKey,
        after: "0",
        signal: AbortSignal.any([signal, quiet.signal]),
      })) {
        clearTimeout(firstEventDeadline);
        if (!marked) {
          marked = true;
          await getRedis().set(resumedKey, token, { px: STREAM_LOG_TTL_MS });
        }
        const item = ZStreamLogEntry.parse(JSON.parse(entry.value));
        if (item.seq <= after) continue;
        stream.send(item.message, callEventId(streamId, item.seq));
        if (item.final) return;
      }
    } catch {
      // The client went away, the deadline passed, or nothing of this stream was ever kept: the stream
      // ends; the client may resume again from its last event.
    } finally {
      clearTimeout(firstEventDeadline);
      // A client gone again without the call's end: the call is given up on after the grace period
      // (relay/client-reply.ts), unless the client resumes once more before it.
      if (marked && stream.closed.aborted)
        await getRedis()
          .deleteIfEquals(resumedKey, token)
          .catch(() => false);
      stream.close();
      await slot.release();
    }
  };
  void run();
  return stream.response;
}
