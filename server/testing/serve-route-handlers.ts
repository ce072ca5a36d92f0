import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// Serves the route handlers of app/mcp/[instanceId]/route.ts on a real HTTP port, the way Next.js's
// Node server calls them: a Web Request with the client's method, headers and streamed body, whose
// signal aborts when the client goes away before the response ended, and the Response written back as
// its body arrives (SSE events reach the client one by one). Integration tests then drive /mcp/{id}
// with real MCP SDK clients and raw fetch, without a `next build`.
//
// The handlers are passed in by the test (which imports ./route), so server/ never imports app/.
//
// Token audiences derive from APP_URL (server/auth/resource-urls.ts), not from the request's Host.
// Listen first, then point APP_URL at `origin` and call resetEnvCache() before issuing any token, so
// tokens, Origin checks and reconnect URLs all name this server (proxy-fixtures.ts startTumikiProxy does
// exactly that).

export type TRouteContext = { params: Promise<{ instanceId: string }> };
export type TRouteHandler = (request: Request, context: TRouteContext) => Promise<Response>;
export type TRouteHandlers = Partial<Record<"GET" | "POST" | "DELETE", TRouteHandler>>;

export type TServedRouteHandlers = {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  mcpUrl(instanceId: string): string;
  close(): Promise<void>;
};

const MCP_PATH = /^\/mcp\/([^/]+)$/;

/**
 * The request body as a Web stream that reads only as fast as the handler does. What the handler leaves
 * unread (it answered early, or cancelled the stream at a size limit) is discarded, as Node's own server
 * does with an unread body, so the keep-alive connection stays usable for the client's next request
 * instead of stalling behind bytes nobody reads.
 */
function toBodyStream(req: IncomingMessage): { body: ReadableStream<Uint8Array>; discardRest(): void } {
  let discarding = false;
  const discardRest = () => {
    discarding = true;
    req.resume();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        if (discarding) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on("end", () => {
        if (!discarding) controller.close();
      });
      req.on("error", (error) => {
        if (!discarding) controller.error(error);
      });
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel: discardRest,
  });
  return { body, discardRest };
}

function toWebRequest(
  req: IncomingMessage,
  origin: string,
  signal: AbortSignal,
  body: ReadableStream<Uint8Array> | undefined,
): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const init = { method: req.method, headers, signal, ...(body ? { body, duplex: "half" } : {}) };
  // `duplex` (needed for a streamed body) is missing from the DOM RequestInit type.
  return new Request(new URL(req.url ?? "/", origin), init as RequestInit);
}

function sendPlain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(text);
}

/** Resolves once the socket can take more, or the client has gone (then there is nothing to wait for). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  // Headers go out now, not with the first body chunk: an SSE client learns the stream is open.
  res.flushHeaders();
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const cancel = () => {
    if (!res.writableFinished) reader.cancel().catch(() => {});
  };
  res.on("close", cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value)) await drained(res);
    }
  } finally {
    res.off("close", cancel);
  }
  if (!res.destroyed) res.end();
}

export async function serveRouteHandlers({
  handlers,
  routes = [],
  port = 0,
  host = "127.0.0.1",
}: {
  handlers: TRouteHandlers;
  /**
   * Further route handlers by path (a pattern's first group, if any, is the route's `instanceId`), for
   * tests of whole flows on one origin: discovery and the OAuth endpoints beside /mcp.
   */
  routes?: { path: RegExp; handlers: TRouteHandlers }[];
  /** 0 (ephemeral) or a port in 4100-4999. */
  port?: number;
  host?: string;
}): Promise<TServedRouteHandlers> {
  let origin = "";

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? "/", origin).pathname;
    const mcp = MCP_PATH.exec(pathname);
    const route = mcp?.[1] ? undefined : routes.find((candidate) => candidate.path.test(pathname));
    const match = mcp?.[1] ? mcp : route?.path.exec(pathname);
    if (!match) {
      sendPlain(res, 404, "Not found");
      return;
    }
    const routeHandlers = route?.handlers ?? handlers;
    const handler = routeHandlers[req.method as keyof TRouteHandlers];
    if (!handler) {
      // As Next.js answers a method the route does not export.
      sendPlain(res, 405, "Method not allowed", { allow: Object.keys(routeHandlers).join(", ") });
      return;
    }
    const controller = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    const instanceId = decodeURIComponent(match[1] ?? "");
    const stream = req.method === "GET" || req.method === "HEAD" ? undefined : toBodyStream(req);
    try {
      const response = await handler(toWebRequest(req, origin, controller.signal, stream?.body), {
        params: Promise.resolve({ instanceId }),
      });
      await writeWebResponse(res, response);
    } finally {
      if (!req.complete) stream?.discardRest();
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // As Next.js does with an error a route handler throws: logged, a bare 500 to the client.
      console.error("[serve-route-handlers] handler threw:", error);
      if (!res.headersSent) sendPlain(res, 500, "Internal Server Error");
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: actualPort } = server.address() as AddressInfo;
  origin = `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`;

  return {
    origin,
    mcpUrl: (instanceId) => `${origin}/mcp/${instanceId}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
