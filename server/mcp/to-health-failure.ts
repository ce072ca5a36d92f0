import type { TBackendHealthFailure } from "../backend-health/backend-health-schemas";
import { getEnv } from "../env";
import type { BackendUnavailableError } from "./backend-unavailable-error";

// Which failures of a request count against the backend's health: it could not be reached, did not
// answer in time, or cut the connection. A URL Tumiki refuses, a request the client cancelled, or an
// answer that is merely too large or not MCP says nothing about whether the server is up.
//
// The caller's own deadline counts as the backend's timeout only once the request waited at least half
// of MCP_BACKEND_TIMEOUT_MS: a list's deadline (the full timeout) does, `initialize`'s 5-second merge
// does not, or a server that is merely slow to open sessions would go down again and again.

const isTimeout = (signal?: AbortSignal) =>
  signal?.aborted === true && signal.reason instanceof DOMException && signal.reason.name === "TimeoutError";

export function toHealthFailure({
  error,
  signal,
  waitedMs,
}: {
  error: BackendUnavailableError;
  signal?: AbortSignal;
  /** How long the request waited for the backend's answer. */
  waitedMs: number;
}): TBackendHealthFailure | null {
  switch (error.reason) {
    case "timeout":
    case "unreachable":
    case "closed_early":
      return { kind: error.reason };
    case "cancelled":
      return isTimeout(signal) && waitedMs >= getEnv().MCP_BACKEND_TIMEOUT_MS / 2
        ? { kind: "timeout" }
        : null;
    default:
      return null;
  }
}
