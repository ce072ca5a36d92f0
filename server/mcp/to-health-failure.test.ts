import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { getEnv } from "../env";
import { BackendUnavailableError, type TBackendFailure } from "./backend-unavailable-error";
import { toHealthFailure } from "./to-health-failure";

// Which failed requests count against a backend's health.

const failure = (reason: TBackendFailure, status?: number) =>
  new BackendUnavailableError({ reason, serverName: "Weather", status });

async function timedOutSignal() {
  const signal = AbortSignal.timeout(1);
  await sleep(5);
  return signal;
}

describe("toHealthFailure", () => {
  it("counts a server that could not be reached, timed out or cut the connection", () => {
    for (const reason of ["unreachable", "timeout", "closed_early"] as const) {
      expect(toHealthFailure({ error: failure(reason), waitedMs: 0 })).toEqual({ kind: reason });
    }
  });

  it("does not count a refused URL, an oversized or invalid answer, an HTTP error it read, or a client's cancel", () => {
    for (const reason of [
      "refused_url",
      "response_too_large",
      "invalid_response",
      "era_mismatch",
      "down",
    ] as const) {
      expect(toHealthFailure({ error: failure(reason), waitedMs: 0 })).toBeNull();
    }
    // A 5xx is counted where the status arrives (request-backend.ts), not again from its error.
    expect(toHealthFailure({ error: failure("http_error", 503), waitedMs: 0 })).toBeNull();
    const cancelled = new AbortController();
    cancelled.abort();
    expect(
      toHealthFailure({ error: failure("cancelled"), signal: cancelled.signal, waitedMs: 60_000 }),
    ).toBeNull();
  });

  it("counts the caller's deadline as a timeout only after half the backend timeout", async () => {
    const signal = await timedOutSignal();
    const half = getEnv().MCP_BACKEND_TIMEOUT_MS / 2;
    expect(toHealthFailure({ error: failure("cancelled"), signal, waitedMs: half })).toEqual({
      kind: "timeout",
    });
    expect(toHealthFailure({ error: failure("cancelled"), signal, waitedMs: half - 1 })).toBeNull();
  });
});
