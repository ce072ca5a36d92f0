import type { TBackendChannel } from "../backend-channel";
import type { TJsonRpcMessage } from "../json-rpc-schemas";
import { openLegacyBackendFeed } from "../streams/open-legacy-backend-feed";
import { tryHoldLock } from "../streams/try-hold-lock";
import { backendStreamLockKey } from "./stream-log-keys";

// The requests a 2025 backend sends outside the stream of the call that caused them. A server on the
// 2025 SDK that calls `server.createMessage()` or `listRoots()` inside a tool without naming the
// request it belongs to sends them on its session's standalone GET stream. A 2025 client reads that
// stream; a 2026-07-28 client has none, so while Tumiki relays a call of one to such a backend it reads
// the (shared) session's GET stream itself and treats a request arriving there as part of the call
// (with-session-requests.ts merges the two). A backend allows one GET stream per session, and the
// session is shared by one principal's 2026-07-28 requests that declare the same capabilities
// (resolve-backend-target.ts): of two such calls running at once, the one following the stream is
// asked for what either caused (the same user, instance, AI client and capabilities: the answer is the
// same; the other call goes on once the backend has it). A call
// that finds the stream followed by a subscriptions/listen stream does without: that stream answers a
// request "method not found", as a 2026-07-28 client can be asked for input only within a call.

/** A backend that is slow to open its GET stream only delays the call this long. */
const OPEN_TIMEOUT_MS = 2_000;

export type TSessionRequests = { messages: AsyncGenerator<TJsonRpcMessage>; close(): Promise<void> };

export async function openSessionRequests({
  channel,
  signal,
}: {
  channel: Extract<TBackendChannel, { era: "legacy" }>;
  signal: AbortSignal;
}): Promise<TSessionRequests | null> {
  if (!channel.session.sessionId) return null;
  // Redis out of reach: the call goes on without the session's stream, as when another holds it.
  const lock = await tryHoldLock({
    key: backendStreamLockKey(channel.target.sessionKey, channel.target.backend.mcpServerId),
  }).catch(() => null);
  if (!lock) return null;
  const stop = new AbortController();
  const close = async () => {
    stop.abort();
    await lock.release();
  };
  // The time limit is on opening the stream only: once open, it is read for as long as the call runs.
  const opening = new AbortController();
  const openTimer = setTimeout(() => opening.abort(), OPEN_TIMEOUT_MS);
  try {
    const feed = await openLegacyBackendFeed({
      channel,
      signal: AbortSignal.any([signal, stop.signal, opening.signal]),
    });
    clearTimeout(openTimer);
    if (!feed) {
      await close();
      return null;
    }
    return { messages: feed.messages, close };
  } catch {
    clearTimeout(openTimer);
    await close();
    return null;
  }
}
