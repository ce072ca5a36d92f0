import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/server/env";
import { RATE_LIMIT_POLICIES } from "@/server/rate-limit/rate-limit-policies";
import { waitForFreshWindow } from "@/server/testing/wait-for-fresh-window";
import { POST } from "./route";

// Auth.js imports next/server, which only resolves inside Next; sign-up needs no session.
vi.mock("@/server/next-auth", () => ({ auth: async () => null }));

function signUp(ip: string, email: string) {
  return POST(
    new Request("http://localhost/api/trpc/account.signUp", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": ip },
      body: JSON.stringify({ json: { email, password: "long enough" } }),
    }),
  );
}

// As if behind one reverse proxy, so the X-Forwarded-For below is the client address that keys the limit.
beforeAll(() => {
  vi.stubEnv("TRUSTED_PROXY_HOPS", "1");
  resetEnvCache();
});

describe("POST /api/trpc", () => {
  it("answers a sign-up over the rate limit with 429, Retry-After and the RateLimit-* headers", async () => {
    // A fresh address keeps this test in its own window of the signUp policy (5 an hour per IP).
    const ip = `192.0.2.${randomBytes(4).toString("hex")}`;
    await waitForFreshWindow(RATE_LIMIT_POLICIES.signUp);
    for (let i = 0; i < 5; i += 1) {
      expect((await signUp(ip, `limited${i}@example.com`)).status).toBe(200);
    }

    const response = await signUp(ip, "limited5@example.com");

    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(response.headers.get("RateLimit-Limit")).toBe("5");
    expect(response.headers.get("RateLimit-Remaining")).toBe("0");
    expect(Number(response.headers.get("RateLimit-Reset"))).toBeGreaterThanOrEqual(retryAfter - 1);
    expect(await response.json()).toMatchObject({
      error: { json: { data: { code: "TOO_MANY_REQUESTS", appCode: "RATE_LIMITED", httpStatus: 429 } } },
    });
  });
});
