import { describe, expect, it } from "vitest";
import { applyBackendOutcome } from "./apply-backend-outcome";
import { FAILURE_WINDOW_MS, type TBackendHealthRecord } from "./backend-health-schemas";
import { deriveBackendHealth } from "./derive-backend-health";

// The circuit breaker's rule over a scripted sequence of outcomes, and what the dashboard reads of it.

const RULE = { downAfterFailures: 3, retryAfterMs: 30_000 };
const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);
const UNREACHABLE = { kind: "unreachable" } as const;

function run(outcomes: { at: number; failure: Parameters<typeof applyBackendOutcome>[0]["failure"] }[]) {
  let record: TBackendHealthRecord | null = null;
  const changes: (string | null)[] = [];
  for (const { at, failure } of outcomes) {
    const next = applyBackendOutcome({ ...RULE, record, failure, now: at });
    record = next.record;
    changes.push(next.changed);
  }
  return { record, changes };
}

describe("applyBackendOutcome", () => {
  it("goes degraded at the first failure and down at the third in a row, with the first retry due later", () => {
    const { record, changes } = run([
      { at: T0, failure: null },
      { at: T0 + 1000, failure: UNREACHABLE },
      { at: T0 + 2000, failure: { kind: "timeout" } },
      { at: T0 + 3000, failure: { kind: "http_error", status: 503 } },
    ]);
    expect(changes).toEqual([null, "degraded", null, "down"]);
    expect(record).toEqual({
      failures: 3,
      down: true,
      since: T0 + 3000,
      retryAt: T0 + 3000 + RULE.retryAfterMs,
      lastError: { kind: "http_error", status: 503 },
      lastErrorAt: T0 + 3000,
    });
    expect(deriveBackendHealth({ record, now: T0 + 4000 })).toEqual({
      state: "down",
      lastError: "Answered HTTP 503",
      lastErrorCode: "http_503",
      lastErrorAt: new Date(T0 + 3000).toISOString(),
      since: new Date(T0 + 3000).toISOString(),
      retryAt: new Date(T0 + 3000 + RULE.retryAfterMs).toISOString(),
    });
  });

  it("needs the failures in a row: a success in between starts the count again", () => {
    const { record, changes } = run([
      { at: T0, failure: UNREACHABLE },
      { at: T0 + 1, failure: UNREACHABLE },
      { at: T0 + 2, failure: null },
      { at: T0 + 3, failure: UNREACHABLE },
      { at: T0 + 4, failure: UNREACHABLE },
    ]);
    expect(changes).toEqual(["degraded", null, "healthy", "degraded", null]);
    expect(record?.down).toBe(false);
    expect(record?.failures).toBe(2);
  });

  it("needs the failures within the window: a failure after a quiet window starts a new streak", () => {
    const { record } = run([
      { at: T0, failure: UNREACHABLE },
      { at: T0 + 1, failure: UNREACHABLE },
      { at: T0 + 1 + FAILURE_WINDOW_MS, failure: UNREACHABLE },
    ]);
    expect(record).toMatchObject({ failures: 1, down: false });
  });

  it("keeps a down server down when a probe fails, and puts the next retry off", () => {
    const { record, changes } = run([
      { at: T0, failure: UNREACHABLE },
      { at: T0 + 1, failure: UNREACHABLE },
      { at: T0 + 2, failure: UNREACHABLE },
      { at: T0 + 40_000, failure: { kind: "timeout" } },
    ]);
    expect(changes.at(-1)).toBeNull();
    expect(record).toMatchObject({ down: true, since: T0 + 2, retryAt: T0 + 40_000 + RULE.retryAfterMs });
    expect(record?.lastError).toEqual({ kind: "timeout" });
  });

  it("makes a down server healthy at its first success, keeping the last error for the dashboard", () => {
    const { record, changes } = run([
      { at: T0, failure: UNREACHABLE },
      { at: T0 + 1, failure: UNREACHABLE },
      { at: T0 + 2, failure: UNREACHABLE },
      { at: T0 + 50_000, failure: null },
    ]);
    expect(changes.at(-1)).toBe("healthy");
    expect(record).toEqual({
      failures: 0,
      down: false,
      since: T0 + 50_000,
      retryAt: null,
      lastError: UNREACHABLE,
      lastErrorAt: T0 + 2,
    });
    expect(deriveBackendHealth({ record, now: T0 + 60_000 })).toMatchObject({
      state: "healthy",
      lastError: "Could not be reached",
      lastErrorCode: "unreachable",
    });
  });

  it("writes nothing for a success of a server already healthy", () => {
    const first = applyBackendOutcome({ ...RULE, record: null, failure: null, now: T0 });
    expect(first).toMatchObject({ write: true, changed: null });
    const again = applyBackendOutcome({ ...RULE, record: first.record, failure: null, now: T0 + 1 });
    expect(again).toEqual({ record: first.record, write: false, changed: null });
  });

  it("goes down at once when one failure is the limit", () => {
    const once = applyBackendOutcome({
      ...RULE,
      downAfterFailures: 1,
      record: null,
      failure: UNREACHABLE,
      now: T0,
    });
    expect(once).toMatchObject({ changed: "down", record: { down: true } });
  });
});

describe("deriveBackendHealth", () => {
  it("is unknown without a record", () => {
    expect(deriveBackendHealth({ record: null, now: T0 })).toEqual({ state: "unknown" });
  });

  it("shows a streak that ended without making the server down as healthy again, from the window's end", () => {
    const { record } = run([{ at: T0, failure: { kind: "closed_early" } }]);
    expect(deriveBackendHealth({ record, now: T0 + FAILURE_WINDOW_MS - 1 }).state).toBe("degraded");
    expect(deriveBackendHealth({ record, now: T0 + FAILURE_WINDOW_MS })).toEqual({
      state: "healthy",
      lastError: "Closed the connection without answering",
      lastErrorCode: "closed_early",
      lastErrorAt: new Date(T0).toISOString(),
      since: new Date(T0 + FAILURE_WINDOW_MS).toISOString(),
    });
  });
});
