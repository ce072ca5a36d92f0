import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Provider } from "oidc-provider";
import { createDemoMcpEndpoint } from "./create-demo-mcp-endpoint";
import { createDemoOidcStore } from "./create-demo-oidc-store";
import { createDemoProvider, DEMO_SCOPES } from "./create-demo-provider";
import { createDemoStats, type TDemoStats } from "./demo-stats";
import { createDemoToolDescriptions } from "./demo-tool-descriptions";
import { DEMO_CONTROL_PATHS, handleDemoControl } from "./handle-demo-control";
import { handleDemoInteraction } from "./handle-demo-interaction";
import { sendJson } from "./send-json";

// A real OAuth-protected remote MCP server on one port, for `npm run dev`, tests and e2e: an
// oidc-provider authorization server (issuer = origin), the MCP endpoint at /mcp, its RFC 9728
// metadata, /__demo/stats so other processes can see what reached the token endpoint and the tools,
// and development endpoints to revoke grants or expire access tokens from another process (see
// handle-demo-control.ts). Beside it, /public/mcp is the same notes server without any authentication
// (one shared board).

export type TDemoBackendOptions = {
  port: number;
  host?: string;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  /** Complete login+consent without a page, as account `autoApproveAccount` (for tests). */
  autoApproveAccount?: string;
};

export type TDemoBackend = {
  origin: string;
  mcpUrl: string;
  /** `${origin}/public/mcp`: an MCP endpoint that needs no authentication. */
  publicMcpUrl: string;
  issuer: string;
  resourceMetadataUrl: string;
  /** What reached the AS's endpoints and the MCP tools (also served at GET /__demo/stats). */
  stats: TDemoStats;
  /** Revokes every grant of an account at the AS (its access and refresh tokens stop working). */
  revokeGrantsOf(accountId: string): Promise<void>;
  /** Serves another description of a tool (null: its own) and tells every session's client. */
  setToolDescription(tool: string, description: string | null): void;
  /** Ends an account's access tokens only: /mcp answers them 401, their refresh tokens still work. */
  expireAccessTokensOf(accountId: string): Promise<void>;
  close(): Promise<void>;
};

const MAX_INTERNAL_HOPS = 8;
// Marks the AS's own requests while it walks an authorization through (see authorizeWithoutPage).
const INTERNAL_HEADER = "x-demo-backend-internal";

// The demo asks for an account on every authorization (each is a new login, possibly as someone
// else), so the AS never sees its login session cookie. Keeping it would make oidc-provider skip the
// page for a known browser, and answer a different account name with a logout confirmation.
function dropSessionCookie(req: IncomingMessage): void {
  const cookie = req.headers.cookie;
  if (!cookie) return;
  const kept = cookie
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part && !part.startsWith("_session"));
  req.headers.cookie = kept.join("; ");
}

function updateJar(jar: Map<string, string>, response: Response): void {
  for (const setCookie of response.headers.getSetCookie()) {
    const [pair = ""] = setCookie.split(";");
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (!value || /expires=Thu, 01 Jan 1970/i.test(setCookie)) jar.delete(name);
    else jar.set(name, value);
  }
}

/**
 * With autoApproveAccount, an authorization request is walked through the AS here (authorize →
 * interaction, approved → resume), carrying the AS's cookies, and the client gets one redirect straight
 * to its redirect_uri: a test (or Tumiki's own code) follows redirects without a cookie jar.
 */
async function authorizeWithoutPage(options: {
  origin: string;
  internalKey: string;
  req: IncomingMessage;
  res: ServerResponse;
}) {
  const { origin, res } = options;
  let url = new URL(options.req.url ?? "/auth", origin);
  const jar = new Map<string, string>();
  for (let hop = 0; hop < MAX_INTERNAL_HOPS; hop += 1) {
    const response = await fetch(url, {
      redirect: "manual",
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; "),
        [INTERNAL_HEADER]: options.internalKey,
      },
    });
    updateJar(jar, response);
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || !location) {
      // An error page of the AS (unknown client, wrong redirect_uri): shown to the client as is.
      res.writeHead(response.status, {
        "content-type": response.headers.get("content-type") ?? "text/html; charset=utf-8",
        "cache-control": "no-store",
      });
      res.end(Buffer.from(await response.arrayBuffer()));
      return;
    }
    const next = new URL(location, url);
    if (next.origin !== origin) {
      res.writeHead(303, { location: next.href, "cache-control": "no-store" });
      res.end();
      return;
    }
    url = next;
  }
  sendJson(res, 500, { error: "server_error", error_description: "too many internal redirects" });
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startDemoBackend(options: TDemoBackendOptions): Promise<TDemoBackend> {
  const host = options.host ?? "localhost";
  const stats = createDemoStats();
  const store = createDemoOidcStore();
  const internalKey = randomBytes(16).toString("hex");
  const descriptions = createDemoToolDescriptions();

  // The provider needs its issuer up front, and with port 0 the port is known only after listening:
  // the server listens first and routes to handlers set right after.
  let handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      console.error("[demo-backend] request failed:", error instanceof Error ? error.message : error);
      if (!res.headersSent) sendJson(res, 500, { error: "server_error" });
      else res.end();
    });
  });
  const port = await listen(server, options.port, host);

  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const mcpUrl = `${origin}/mcp`;
  const resourceMetadataPath = "/.well-known/oauth-protected-resource/mcp";
  const resourceMetadataUrl = `${origin}${resourceMetadataPath}`;

  const provider: Provider = createDemoProvider({
    issuer: origin,
    mcpUrl,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 14 * 24 * 3600,
    store,
    stats,
  });
  const providerCallback = provider.callback();
  const endpoint = createDemoMcpEndpoint({
    provider,
    mcpUrl,
    resourceMetadataUrl,
    stats: stats.mcp,
    descriptions,
  });
  const publicMcpPath = "/public/mcp";
  const publicEndpoint = createDemoMcpEndpoint({
    provider,
    mcpUrl: `${origin}${publicMcpPath}`,
    resourceMetadataUrl,
    stats: stats.mcp,
    descriptions,
    publicAccount: "public",
  });
  const isControlPath = (pathname: string): pathname is (typeof DEMO_CONTROL_PATHS)[number] =>
    (DEMO_CONTROL_PATHS as readonly string[]).includes(pathname);

  handler = async (req, res) => {
    const { pathname } = new URL(req.url ?? "/", origin);
    if (pathname === "/mcp") {
      await endpoint.handle(req, res);
    } else if (pathname === publicMcpPath) {
      await publicEndpoint.handle(req, res);
    } else if (pathname === resourceMetadataPath && req.method === "GET") {
      sendJson(res, 200, {
        resource: mcpUrl,
        authorization_servers: [origin],
        scopes_supported: [...DEMO_SCOPES],
        bearer_methods_supported: ["header"],
        resource_name: "Demo Notes",
      });
    } else if (pathname === "/__demo/stats" && req.method === "GET") {
      sendJson(res, 200, stats);
    } else if (isControlPath(pathname)) {
      await handleDemoControl({ path: pathname, store, descriptions, req, res });
    } else if (/^\/interaction\/[^/]+$/.test(pathname) && (req.method === "GET" || req.method === "POST")) {
      await handleDemoInteraction({
        provider,
        req,
        res,
        mcpUrl,
        autoApproveAccount: options.autoApproveAccount,
      });
    } else if (
      pathname === "/auth" &&
      req.method === "GET" &&
      options.autoApproveAccount &&
      req.headers[INTERNAL_HEADER] !== internalKey
    ) {
      await authorizeWithoutPage({ origin, internalKey, req, res });
    } else {
      dropSessionCookie(req);
      providerCallback(req, res);
    }
  };

  return {
    origin,
    mcpUrl,
    publicMcpUrl: `${origin}${publicMcpPath}`,
    issuer: origin,
    resourceMetadataUrl,
    stats,
    async revokeGrantsOf(accountId) {
      store.revokeGrantsOf(accountId);
    },
    async expireAccessTokensOf(accountId) {
      store.destroyAccessTokensOf(accountId);
    },
    setToolDescription(tool, description) {
      descriptions.set(tool, description);
    },
    async close() {
      await Promise.all([endpoint.close(), publicEndpoint.close()]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
