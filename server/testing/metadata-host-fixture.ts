import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { resetEnvCache } from "../env";

// A local HTTP server for discovery tests: each path answers whatever a test configures (a 401 with a
// challenge, a metadata document, a redirect, a registration), unknown paths answer 404, and every request
// is recorded. It listens on 127.0.0.1 and a free port; tests reach it through safeFetch after putting its
// host:port on OUTBOUND_ALLOWED_PRIVATE_HOSTS (allowOutboundHosts).

export type TFixtureRequest = { method: string; path: string; headers: IncomingHttpHeaders; body: string };

export type TFixtureResponse = {
  status?: number;
  headers?: Record<string, string | string[]>;
  json?: unknown;
  body?: string;
};

export type TFixtureHandler = TFixtureResponse | ((request: TFixtureRequest) => TFixtureResponse);

export type TMetadataHost = {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** The host:port entries to allowlist for this host. */
  allowlistEntries: string[];
  url(path: string): string;
  /** Answers `path` (any method unless given) with `handler`, replacing an earlier route. */
  route(path: string, handler: TFixtureHandler, method?: string): void;
  /** Forgets every route and recorded request. */
  reset(): void;
  requests: TFixtureRequest[];
  close(): Promise<void>;
};

export async function startMetadataHost(): Promise<TMetadataHost> {
  const routes = new Map<string, TFixtureHandler>();
  const requests: TFixtureRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request: TFixtureRequest = {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(request);
      const handler = routes.get(`${request.method} ${request.path}`) ?? routes.get(`* ${request.path}`);
      const response = typeof handler === "function" ? handler(request) : (handler ?? { status: 404 });
      const headers: Record<string, string | string[]> = { ...response.headers };
      let body = response.body ?? "";
      if (response.json !== undefined) {
        headers["content-type"] ??= "application/json";
        body = JSON.stringify(response.json);
      }
      res.writeHead(response.status ?? 200, headers);
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    allowlistEntries: [`127.0.0.1:${port}`, `localhost:${port}`],
    url: (path) => `${origin}${path}`,
    route: (path, handler, method = "*") => {
      routes.set(`${method} ${path}`, handler);
    },
    reset: () => {
      routes.clear();
      requests.length = 0;
    },
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Lets safeFetch reach these hosts (and nothing else private) by setting the development allowlist. */
export function allowOutboundHosts(entries: string[]): void {
  process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS = entries.join(",");
  resetEnvCache();
}

/** RFC 8414 metadata of an authorization server at `issuer`, with S256; `overrides` replace or add fields. */
export function authorizationServerMetadata(issuer: string, overrides: Record<string, unknown> = {}) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: `${issuer}/register`,
    response_types_supported: ["code"],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "none"],
    ...overrides,
  };
}
