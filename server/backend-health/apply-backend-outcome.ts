import {
  FAILURE_WINDOW_MS,
  type TBackendHealthFailure,
  type TBackendHealthRecord,
  type TBackendHealthState,
} from "./backend-health-schemas";
import { deriveBackendHealth } from "./derive-backend-health";

// The circuit breaker's rule, without I/O: what one request's outcome makes of a server's record.
// - A success closes the circuit: no failures, not down (the last error is kept, for the dashboard).
// - A failure extends the streak when the previous one was within the window, else starts one; the
//   streak's Nth failure makes the server down, with the first probe due after the retry interval.
// - A failure while down (a probe that failed) keeps it down and puts the next probe off again.
// `changed` names the state the server entered, when it entered one (a first success of a server
// never seen is no change worth reporting).

export function applyBackendOutcome({
  record,
  failure,
  now,
  downAfterFailures,
  retryAfterMs,
}: {
  record: TBackendHealthRecord | null;
  /** null: the request succeeded. */
  failure: TBackendHealthFailure | null;
  now: number;
  downAfterFailures: number;
  retryAfterMs: number;
}): { record: TBackendHealthRecord; write: boolean; changed: TBackendHealthState | null } {
  const before = deriveBackendHealth({ record, now });
  if (failure === null) {
    if (record && record.failures === 0 && !record.down) return { record, write: false, changed: null };
    const next: TBackendHealthRecord = {
      failures: 0,
      down: false,
      since: before.state === "healthy" && before.since ? Date.parse(before.since) : now,
      retryAt: null,
      lastError: record?.lastError ?? null,
      lastErrorAt: record?.lastErrorAt ?? null,
    };
    const changed = before.state === "down" || before.state === "degraded" ? "healthy" : null;
    return { record: next, write: true, changed };
  }

  const streakGoesOn =
    record !== null &&
    (record.down ||
      (record.failures > 0 && record.lastErrorAt !== null && now - record.lastErrorAt < FAILURE_WINDOW_MS));
  const failures = streakGoesOn ? record.failures + 1 : 1;
  const failed = { failures, lastError: failure, lastErrorAt: now };
  if (record?.down) {
    return { record: { ...record, ...failed, retryAt: now + retryAfterMs }, write: true, changed: null };
  }
  if (failures >= downAfterFailures) {
    return {
      record: { ...failed, down: true, since: now, retryAt: now + retryAfterMs },
      write: true,
      changed: "down",
    };
  }
  const wasDegraded = before.state === "degraded" && record !== null;
  return {
    record: { ...failed, down: false, since: wasDegraded ? record.since : now, retryAt: null },
    write: true,
    changed: wasDegraded ? null : "degraded",
  };
}
