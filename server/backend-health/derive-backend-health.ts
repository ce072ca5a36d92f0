import {
  FAILURE_WINDOW_MS,
  type TBackendHealth,
  type TBackendHealthFailure,
  type TBackendHealthRecord,
} from "./backend-health-schemas";

// A stored record as the state it shows now. A streak of failures that ended without making the server
// down (no new failure within the window) shows healthy again, from the moment the window closed.

const MESSAGES: Record<TBackendHealthFailure["kind"], string> = {
  timeout: "Did not answer in time",
  unreachable: "Could not be reached",
  closed_early: "Closed the connection without answering",
  http_error: "Answered with a server error",
};

const iso = (ms: number) => new Date(ms).toISOString();

function describeError(record: TBackendHealthRecord) {
  const { lastError, lastErrorAt } = record;
  if (!lastError || lastErrorAt === null) return {};
  const http = lastError.kind === "http_error" && lastError.status !== undefined;
  return {
    lastError: http ? `Answered HTTP ${lastError.status}` : MESSAGES[lastError.kind],
    lastErrorCode: http ? `http_${lastError.status}` : lastError.kind,
    lastErrorAt: iso(lastErrorAt),
  };
}

export function deriveBackendHealth({
  record,
  now,
}: {
  record: TBackendHealthRecord | null;
  now: number;
}): TBackendHealth {
  if (!record) return { state: "unknown" };
  const error = describeError(record);
  if (record.down) {
    return {
      state: "down",
      ...error,
      since: iso(record.since),
      ...(record.retryAt === null ? {} : { retryAt: iso(record.retryAt) }),
    };
  }
  if (record.failures > 0 && record.lastErrorAt !== null) {
    const streakEnds = record.lastErrorAt + FAILURE_WINDOW_MS;
    if (now < streakEnds) return { state: "degraded", ...error, since: iso(record.since) };
    return { state: "healthy", ...error, since: iso(streakEnds) };
  }
  return { state: "healthy", ...error, since: iso(record.since) };
}
