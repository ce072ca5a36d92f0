import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
import { getRateLimitPolicy } from "./get-rate-limit-policy";
import { RATE_LIMIT_POLICIES } from "./rate-limit-policies";

describe("getRateLimitPolicy", () => {
  afterEach(() => {
    delete process.env.RATE_LIMIT_BACKEND_OUTBOUND;
    resetEnvCache();
  });

  it("is the table's row when no variable overrides it", () => {
    resetEnvCache();
    expect(getRateLimitPolicy("backendOutbound")).toEqual(RATE_LIMIT_POLICIES.backendOutbound);
  });

  it("takes attempts and window from RATE_LIMIT_<POLICY>, keeping the row's prefix, failure mode and why", () => {
    process.env.RATE_LIMIT_BACKEND_OUTBOUND = "7/10m";
    resetEnvCache();
    expect(getRateLimitPolicy("backendOutbound")).toEqual({
      ...RATE_LIMIT_POLICIES.backendOutbound,
      attempts: 7,
      window: "10 m",
    });
    // Other policies keep their defaults.
    expect(getRateLimitPolicy("signUp")).toEqual(RATE_LIMIT_POLICIES.signUp);
  });

  it("hands out one object per policy while the environment stays, so limiters are reused", () => {
    resetEnvCache();
    expect(getRateLimitPolicy("oauthToken")).toBe(getRateLimitPolicy("oauthToken"));
  });
});
