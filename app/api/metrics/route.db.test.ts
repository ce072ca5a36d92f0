import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { setTestEnv } from "@/server/testing/proxy-fixtures";
import { readPrometheusText, sumSamples } from "@/server/testing/read-prometheus-text";
import { GET } from "./route";

// GET /api/metrics through its route handler: it does not exist without METRICS_TOKEN, refuses any
// other credential than that bearer token (without saying why), and serves the Prometheus text format
// with Tumiki's own figures and the process's default ones.

const TOKEN = randomBytes(24).toString("hex");
const URL_ = "http://localhost:3000/api/metrics";
let restore: (() => void) | undefined;

afterEach(() => {
  restore?.();
  restore = undefined;
});

const scrape = (authorization?: string) =>
  GET(new Request(URL_, { headers: authorization === undefined ? {} : { authorization } }));

describe("GET /api/metrics", () => {
  it("answers 404 when METRICS_TOKEN is unset, whatever the request carries", async () => {
    restore = setTestEnv({ METRICS_TOKEN: undefined });
    for (const authorization of [undefined, `Bearer ${TOKEN}`, "Bearer "]) {
      const response = await scrape(authorization);
      expect(response.status).toBe(404);
      const body = await response.text();
      expect(body).not.toContain("tumiki_");
      expect(body).not.toContain("# HELP");
    }
  });

  it("answers 401 with a Bearer challenge to a missing, wrong or differently-presented token", async () => {
    restore = setTestEnv({ METRICS_TOKEN: TOKEN });
    const wrongSameLength = randomBytes(24).toString("hex");
    for (const authorization of [
      undefined,
      "",
      "Bearer",
      `Bearer ${wrongSameLength}`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Basic ${Buffer.from(`metrics:${TOKEN}`).toString("base64")}`,
      TOKEN,
    ]) {
      const response = await scrape(authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer\b/);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.text()).not.toContain("tumiki_");
    }
  });

  it("serves the Prometheus text format to the right token, with Tumiki's and the process's figures", async () => {
    restore = setTestEnv({ METRICS_TOKEN: TOKEN });
    const response = await scrape(`Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    for (const name of [
      "tumiki_http_requests_total",
      "tumiki_mcp_requests_total",
      "tumiki_backend_token_refreshes_total",
      "tumiki_auth_attempts_total",
      "tumiki_open_streams",
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain("# TYPE process_cpu_user_seconds_total counter");
    expect(text).toContain("# TYPE nodejs_eventloop_lag_seconds gauge");
    // Every line parses; the scheme is case-insensitive (RFC 6750 §2.1).
    readPrometheusText(text);
    expect((await scrape(`bearer ${TOKEN}`)).status).toBe(200);
  });

  it("counts its own scrapes and refusals as route family api", async () => {
    restore = setTestEnv({ METRICS_TOKEN: TOKEN });
    const read = async () => readPrometheusText(await (await scrape(`Bearer ${TOKEN}`)).text());
    const before = await read();
    await scrape("Bearer wrong");
    await scrape("Bearer wrong");
    const after = await read();
    const refused = { route: "api", method: "GET", status: "401" };
    expect(sumSamples(after, "tumiki_http_requests_total", refused)).toBe(
      sumSamples(before, "tumiki_http_requests_total", refused) + 2,
    );
    // The scrape that produced `before` was recorded once its headers were ready, so `after` sees it.
    const served = { route: "api", method: "GET", status: "200" };
    expect(sumSamples(after, "tumiki_http_requests_total", served)).toBe(
      sumSamples(before, "tumiki_http_requests_total", served) + 1,
    );
  });
});
