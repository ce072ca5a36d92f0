import { describe, expect, it } from "vitest";
import { describeLastError, formatCountdown } from "./token-format";

const now = new Date("2026-01-01T12:00:00.000Z");
const fromNow = (ms: number) => new Date(now.getTime() + ms);

describe("formatCountdown", () => {
  it("says when there is no expiry and when it is past", () => {
    expect(formatCountdown(null, now)).toBe("no expiry");
    expect(formatCountdown(now, now)).toBe("expired");
    expect(formatCountdown(fromNow(-5_000), now)).toBe("expired");
  });

  it("counts down in the two largest units", () => {
    expect(formatCountdown(fromNow(252_000), now)).toBe("in 4m 12s");
    expect(formatCountdown(fromNow(42_000), now)).toBe("in 42s");
    expect(formatCountdown(fromNow(60_000), now)).toBe("in 1m 0s");
    expect(formatCountdown(fromNow(3 * 3_600_000 + 5 * 60_000 + 59_000), now)).toBe("in 3h 5m");
    expect(formatCountdown(fromNow(2 * 86_400_000 + 4 * 3_600_000), now)).toBe("in 2d 4h");
  });

  it("rounds a part of a second up, so it never reads 0s before expiring", () => {
    expect(formatCountdown(fromNow(1), now)).toBe("in 1s");
    expect(formatCountdown(fromNow(59_001), now)).toBe("in 1m 0s");
  });
});

describe("describeLastError", () => {
  it("words known codes and quotes unknown ones", () => {
    expect(describeLastError("invalid_grant")).toMatch(/no longer accepts this grant/);
    // What Reconnect does (prepareBackendAuthorization registers a rejected DCR client again).
    expect(describeLastError("invalid_client")).toMatch(/Reconnect registers Tumiki again/);
    expect(describeLastError("http_502")).toBe("The last refresh failed (http_502).");
  });
});
