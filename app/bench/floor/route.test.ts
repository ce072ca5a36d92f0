import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/server/env";
import { POST } from "./route";

// The bench's framework-floor route against a real HTTP backend: closed unless the bench's flag is on,
// and when on, a plain forwarder of the MCP headers and body whose answer streams back unchanged.

type TReceived = { method?: string; headers: IncomingMessage["headers"]; body: string };

let backend: Server;
let backendUrl: string;
let received: TReceived[] = [];
let respond: (res: ServerResponse) => void = (res) => res.end();

beforeAll(async () => {
  backend = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    respond(res);
  });
  backend.listen(0, "127.0.0.1");
  await once(backend, "listening");
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/mcp`;
});

afterAll(async () => {
  backend.closeAllConnections();
  await new Promise((resolve) => backend.close(resolve));
});

afterEach(() => {
  received = [];
  vi.unstubAllEnvs();
  resetEnvCache();
});

const enable = (flag: string | undefined, target: string | undefined = backendUrl) => {
  vi.stubEnv("BENCH_FLOOR_ROUTE", flag);
  vi.stubEnv("BENCH_FLOOR_TARGET_URL", target);
  resetEnvCache();
};

const BODY = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "list_notes" } });

const post = (headers: Record<string, string> = {}) =>
  POST(
    new Request("http://localhost:3000/bench/floor", {
      method: "POST",
      headers: {
        authorization: "Bearer backend-token",
        "mcp-session-id": "session-1",
        "mcp-protocol-version": "2025-11-25",
        accept: "application/json, text/event-stream",
        "content-type": "application/json",
        ...headers,
      },
      body: BODY,
    }),
  );

describe("POST /bench/floor", () => {
  it.each([
    ["unset", undefined],
    ["0", "0"],
  ])("answers 404 like an unknown route and forwards nothing when BENCH_FLOOR_ROUTE is %s", async (_, flag) => {
    enable(flag);
    const response = await post();
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: "NOT_FOUND", message: "Nothing lives at this URL." },
    });
    expect(received).toEqual([]);
  });

  it("answers 404 when the flag is on but no target is configured", async () => {
    enable("1", "");
    expect((await post()).status).toBe(404);
    expect(received).toEqual([]);
  });

  it("forwards the body and only the MCP headers, and streams the answer back as it comes", async () => {
    enable("1");
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    respond = (res) => {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "mcp-session-id": "session-1",
        "set-cookie": "backend=secret",
        "x-backend-internal": "1",
      });
      res.write('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/progress"}\n\n');
      void released.then(() => res.end('event: message\ndata: {"jsonrpc":"2.0","id":7,"result":{}}\n\n'));
    };

    const response = await post({ cookie: "tumiki=session", "x-forwarded-for": "203.0.113.9" });

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("mcp-session-id")).toBe("session-1");
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.get("x-backend-internal")).toBeNull();

    const [request] = received;
    expect(request?.method).toBe("POST");
    expect(request?.body).toBe(BODY);
    expect(request?.headers).toMatchObject({
      authorization: "Bearer backend-token",
      "mcp-session-id": "session-1",
      "mcp-protocol-version": "2025-11-25",
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
    });
    expect(request?.headers.cookie).toBeUndefined();
    expect(request?.headers["x-forwarded-for"]).toBeUndefined();

    // The first event arrives while the backend still holds the rest back: nothing is buffered whole.
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(decoder.decode(first.value)).toContain("notifications/progress");
    release();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += decoder.decode(chunk.value, { stream: true });
    }
    expect(rest).toContain('"id":7');
  });

  it("returns the backend's status and empty body unchanged", async () => {
    enable("1");
    respond = (res) => {
      res.writeHead(202);
      res.end();
    };
    const response = await post();
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
  });
});
