import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
import { OutboundFetchError } from "./outbound-fetch-error";
import { requestOutboundStream } from "./request-outbound-stream";

// The streamed outbound request of the MCP proxy, against a real local server: chunks arrive as they
// are written, and the SSRF rules, the header deadline and the size cap hold.

let server: Server;
let base: string;
const previousAllowlist = process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/slow-headers") return void setTimeout(() => res.end("late"), 2_000);
    if (req.url === "/big") return void res.end("x".repeat(4096));
    if (req.url === "/redirect") {
      res.writeHead(302, { location: "/stream" });
      return void res.end();
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write("first\n");
    setTimeout(() => res.end("second\n"), 400);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://localhost:${port}`;
  process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS = `localhost:${port}`;
  resetEnvCache();
});

afterAll(async () => {
  process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS = previousAllowlist ?? "";
  resetEnvCache();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const request = (path: string, overrides: Partial<Parameters<typeof requestOutboundStream>[0]> = {}) =>
  requestOutboundStream({
    url: `${base}${path}`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
    headersTimeoutMs: 1_000,
    maxBytes: 1024,
    ...overrides,
  });

const reason = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (error: unknown) => (error instanceof OutboundFetchError ? error.reason : String(error)),
  );

describe("requestOutboundStream", () => {
  it("resolves at the headers and streams each chunk as the server writes it", async () => {
    const started = Date.now();
    const response = await request("/stream");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe("first\n");
    // The second chunk is written 400 ms later: the first one did not wait for it.
    expect(Date.now() - started).toBeLessThan(400);
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += decoder.decode(chunk.value);
    expect(rest).toBe("second\n");
  });

  it("refuses loopback and private addresses that are not allowlisted, before connecting", async () => {
    for (const url of [
      "http://127.0.0.1:9/mcp",
      "http://10.0.0.1/mcp",
      "https://[::1]/mcp",
      "http://169.254.169.254/",
    ]) {
      expect(await reason(request("", { url })), url).toBe("private_address");
    }
    expect(await reason(request("", { url: "http://example.com/mcp" }))).toBe("https_required");
  });

  it("gives up when the headers do not come within the deadline", async () => {
    expect(await reason(request("/slow-headers", { headersTimeoutMs: 200 }))).toBe("timeout");
  });

  it("errors the body past maxBytes, and returns a redirect as it is, without following it", async () => {
    const big = await request("/big");
    expect(await reason(new Response(big.body).text())).toBe("response_too_large");
    const redirect = await request("/redirect");
    expect(redirect.status).toBe(302);
    await redirect.body.cancel();
  });

  it("aborts with the caller's signal", async () => {
    const controller = new AbortController();
    const pending = reason(request("/slow-headers", { signal: controller.signal, headersTimeoutMs: 5_000 }));
    await sleep(50);
    controller.abort();
    expect(await pending).toBe("aborted");
    // A caller's deadline is a timeout, not a cancellation.
    expect(
      await reason(request("/slow-headers", { signal: AbortSignal.timeout(100), headersTimeoutMs: 5_000 })),
    ).toBe("timeout");
  });
});
