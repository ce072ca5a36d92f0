import { describe, expect, it } from "vitest";
import { AppError, RateLimitError } from "../errors";
import { withRouteErrors } from "./with-route-errors";

const request = new Request("http://localhost/api/thing");

describe("withRouteErrors", () => {
  it("passes a successful response through", async () => {
    const response = await withRouteErrors(async () => Response.json({ ok: true }))(request, {});
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("maps an AppError to its status and user message only", async () => {
    const handler = withRouteErrors(async () => {
      throw new AppError("NOT_FOUND", {
        message: "instance abc of user u1 missing",
        userMessage: "No such instance.",
      });
    });
    const response = await handler(request, {});
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: "NOT_FOUND", message: "No such instance." } });
  });

  it("answers 429 with Retry-After and RateLimit headers", async () => {
    const now = Date.now();
    const handler = withRouteErrors(async () => {
      throw new RateLimitError("signIn", { limit: 10, remaining: 0, resetAt: now + 30_500 }, now);
    });
    const response = await handler(request, {});
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBe("31");
    expect(response.headers.get("RateLimit-Limit")).toBe("10");
    expect(response.headers.get("RateLimit-Remaining")).toBe("0");
    expect(Number(response.headers.get("RateLimit-Reset"))).toBeGreaterThanOrEqual(30);
  });

  it("never derives Retry-After 0 from a reset in the past", async () => {
    const handler = withRouteErrors(async () => {
      throw new RateLimitError("signIn", { limit: 10, remaining: 0, resetAt: Date.now() - 5_000 });
    });
    expect((await handler(request, {})).headers.get("Retry-After")).toBe("1");
  });

  it("turns anything else into a fixed 500 without internals", async () => {
    const handler = withRouteErrors(async () => {
      throw new TypeError(
        "Cannot read properties of undefined (reading 'secretThing') at /srv/app/server/x.ts:12",
      );
    });
    const response = await handler(request, {});
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).not.toMatch(/secretThing|x\.ts|TypeError/);
    expect(JSON.parse(body)).toEqual({
      error: { code: "INTERNAL", message: "Something went wrong on our side. Try again later." },
    });
  });
});
