import { describe, expect, it } from "vitest";
import { readMetricValue } from "../testing/read-metric-value";
import { withRouteMetrics } from "./with-route-metrics";

// The HTTP figures of a route family: one count per response by method and status, and the time to
// the response's headers by outcome; a handler that throws is what the framework answers with 500.

const request = (method = "GET") => new Request("http://localhost/x/123", { method });

describe("withRouteMetrics", () => {
  it("counts a response by family, method and status, and times it by outcome", async () => {
    const labels = { route: "well_known", method: "POST", status: "418" };
    const timed = { route: "well_known", outcome: "client_error" };
    const before = await readMetricValue("tumiki_http_requests_total", labels);
    const timedBefore = await readMetricValue("tumiki_http_request_duration_seconds_count", timed);
    const handler = withRouteMetrics("well_known", async () => new Response(null, { status: 418 }));
    expect((await handler(request("POST"))).status).toBe(418);
    expect(await readMetricValue("tumiki_http_requests_total", labels)).toBe(before + 1);
    expect(await readMetricValue("tumiki_http_request_duration_seconds_count", timed)).toBe(timedBefore + 1);
  });

  it("passes the route context through and records a success", async () => {
    const labels = { route: "oauth", method: "GET", status: "200" };
    const before = await readMetricValue("tumiki_http_requests_total", labels);
    const handler = withRouteMetrics(
      "oauth",
      async (_req: Request, ctx: { params: Promise<{ id: string }> }) =>
        Response.json({ id: (await ctx.params).id }),
    );
    const response = await handler(request(), { params: Promise.resolve({ id: "a" }) });
    expect(await response.json()).toEqual({ id: "a" });
    expect(await readMetricValue("tumiki_http_requests_total", labels)).toBe(before + 1);
  });

  it("records a handler that throws as a 500 server error and rethrows", async () => {
    const labels = { route: "api", method: "DELETE", status: "500" };
    const timed = { route: "api", outcome: "server_error" };
    const before = await readMetricValue("tumiki_http_requests_total", labels);
    const timedBefore = await readMetricValue("tumiki_http_request_duration_seconds_count", timed);
    const handler = withRouteMetrics("api", async () => {
      throw new Error("boom");
    });
    await expect(handler(request("DELETE"))).rejects.toThrow("boom");
    expect(await readMetricValue("tumiki_http_requests_total", labels)).toBe(before + 1);
    expect(await readMetricValue("tumiki_http_request_duration_seconds_count", timed)).toBe(timedBefore + 1);
  });
});
