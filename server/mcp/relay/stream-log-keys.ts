// Redis keys of the logs that carry a relayed call across app processes, and the SSE event ids of a 2025
// client's streams, which say which log to resume from: `c.<stream>.<n>` for the stream of a call,
// `s.<log entry id>` for a session's GET stream. Every key of a client's stream names the client's
// session (its hashed id), so a Last-Event-ID a client sends can only ever reach streams of its own
// session, whatever it names; the logs of multi round-trip input name the user.

/** The events of a 2025 client's stream after the client dropped it (resumed with Last-Event-ID). */
export const streamLogKey = (sessionKey: string, streamId: string) => `mcp_stream:${sessionKey}:${streamId}`;

/** Set when a client resumed a dropped stream, so the call is not abandoned. */
export const streamResumedKey = (sessionKey: string, streamId: string) =>
  `mcp_stream_resumed:${sessionKey}:${streamId}`;

/** The answers of a 2025 client to a 2026-07-28 backend's input requests, collected for the retry. */
export const inputAnswersKey = (userId: string, continuation: string) =>
  `mcp_input_answers:${userId}:${continuation}`;

/** The further messages of a 2025 backend's call suspended for a 2026-07-28 client's input. */
export const continuationLogKey = (userId: string, continuation: string) =>
  `mcp_continuation:${userId}:${continuation}`;

/** Claimed by the retry that posts a suspended call's answers for the round that ends at `cursor`. */
export const answersPostedKey = ({
  userId,
  continuation,
  cursor,
}: {
  userId: string;
  continuation: string;
  cursor: string;
}) => `mcp_continuation_answered:${userId}:${continuation}:${cursor}`;

const CALL_EVENT_ID = /^c\.([A-Za-z0-9_-]{16})\.(\d{1,9})$/;
/** A log entry id, or "0" (the start of an empty log: what a stream opened on one primes with). */
const SESSION_EVENT_ID = /^s\.(0|\d{1,20}-\d{1,20})$/;

export const callEventId = (streamId: string, seq: number) => `c.${streamId}.${seq}`;
export const sessionEventId = (logId: string) => `s.${logId}`;

/** What a Last-Event-ID points at; null for one Tumiki did not give (it is then ignored). */
export function parseEventId(
  value: string,
): { kind: "call"; streamId: string; seq: number } | { kind: "session"; logId: string } | null {
  const call = CALL_EVENT_ID.exec(value);
  if (call) return { kind: "call", streamId: call[1] as string, seq: Number(call[2]) };
  const session = SESSION_EVENT_ID.exec(value);
  return session ? { kind: "session", logId: session[1] as string } : null;
}

/** The notifications of a 2025 session's GET stream, kept briefly so a reconnecting stream resumes. */
export const sessionEventsKey = (sessionKey: string) => `mcp_session_events:${sessionKey}`;

/** Which stream holds a 2025 session's GET stream now (the newest one wins). */
export const sessionStreamOwnerKey = (sessionKey: string) => `mcp_session_stream:${sessionKey}`;

/** Held by the one stream that follows a 2025 backend session's GET stream (a backend allows one). */
export const backendStreamLockKey = (sessionKey: string, mcpServerId: string) =>
  `mcp_backend_stream:${sessionKey}:${mcpServerId}`;
