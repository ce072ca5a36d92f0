import { z } from "zod";

// The health of a backend server, as Tumiki's own traffic to it shows: a property of the server (its
// URL), shared by every user and every app process, so it lives in Redis keyed by McpServer id.
//
// Only failures that say the server is not answering count: it could not be reached, it timed out, it
// closed the connection, or it answered HTTP 5xx. A 401 concerns one user's credential, and a JSON-RPC
// error or an isError result is the server answering: neither is a failure of the server.

/** Why one request to a backend failed. Messages are fixed here: nothing a backend sends is shown. */
export const ZBackendHealthFailure = z.object({
  kind: z.enum(["timeout", "unreachable", "closed_early", "http_error"]),
  /** The HTTP status, for `http_error`. */
  status: z.number().int().min(500).max(599).optional(),
});
export type TBackendHealthFailure = z.infer<typeof ZBackendHealthFailure>;

/** What Redis holds per server. Times are milliseconds since the epoch. */
export const ZBackendHealthRecord = z.object({
  /**
   * Failed requests in a row (a success resets it); a streak ends when FAILURE_WINDOW_MS passes without one.
   */
  failures: z.number().int().min(0),
  down: z.boolean(),
  /** When the state the record shows (healthy, degraded or down) began. */
  since: z.number(),
  /** While down: when the next probe may run. */
  retryAt: z.number().nullable(),
  lastError: ZBackendHealthFailure.nullable(),
  lastErrorAt: z.number().nullable(),
});
export type TBackendHealthRecord = z.infer<typeof ZBackendHealthRecord>;

export const ZBackendHealthState = z.enum(["healthy", "degraded", "down", "unknown"]);
export type TBackendHealthState = z.infer<typeof ZBackendHealthState>;

/**
 * A server's health as the dashboard and the API show it. "unknown": Tumiki has not talked to it
 * recently. "degraded": its latest requests failed, but fewer in a row than make it down. Times are ISO.
 */
export const ZBackendHealth = z.object({
  state: ZBackendHealthState,
  /** A fixed, safe sentence ("Did not answer in time", "Answered HTTP 503"). */
  lastError: z.string().optional(),
  /** `timeout`, `unreachable`, `closed_early` or `http_<status>`. */
  lastErrorCode: z.string().optional(),
  lastErrorAt: z.string().optional(),
  /** When the current state began. */
  since: z.string().optional(),
  /** While down: when Tumiki will next try the server. */
  retryAt: z.string().optional(),
});
export type TBackendHealth = z.infer<typeof ZBackendHealth>;

/** Health by McpServer id. */
export type TBackendHealthMap = Record<string, TBackendHealth>;

/** The server a health record is about, as the proxy knows it (TInstanceBackend fits). */
export type TBackendRef = { mcpServerId: string; slug: string; url: string };

/** Failures further apart than this do not make a streak: a server fails N times within it to be down. */
export const FAILURE_WINDOW_MS = 60_000;
