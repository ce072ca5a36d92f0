import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "../env";
import type { OAuthClient } from "../generated/prisma/client";
import { BackendTokenError } from "./backend-token-error";
import { requestBackendToken } from "./request-backend-token";

// The token endpoint client against a real local HTTP server standing in for an authorization server:
// what goes on the wire for each client authentication method, and how every kind of answer maps.

type Seen = { headers: IncomingMessage["headers"]; body: URLSearchParams };
let respond: (req: IncomingMessage, res: ServerResponse) => void;
let seen: Seen[] = [];
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ headers: req.headers, body: new URLSearchParams(Buffer.concat(chunks).toString()) });
      respond(req, res);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS = `127.0.0.1:${port}`;
  resetEnvCache();
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

beforeEach(() => {
  seen = [];
  respond = json(200, { access_token: "at-1", token_type: "Bearer", expires_in: 3600 });
});

const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};

const client = (overrides: Partial<OAuthClient> = {}): OAuthClient =>
  ({
    id: "c1",
    clientId: "client id:ü&=",
    clientSecret: "s3cret:+/ %",
    tokenEndpoint: `${origin}/token`,
    tokenEndpointAuthMethod: "client_secret_basic",
    ...overrides,
  }) as OAuthClient;

const params = {
  grant_type: "refresh_token",
  refresh_token: "rt-secret-value",
  resource: "https://x.test/mcp",
};

async function failure(promise: Promise<unknown>): Promise<BackendTokenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackendTokenError);
  return error as BackendTokenError;
}

describe("requestBackendToken", () => {
  it("client_secret_basic: form-urlencodes id and secret in the Basic header, none in the body", async () => {
    const response = await requestBackendToken({ client: client(), params });
    expect(response).toEqual({
      accessToken: "at-1",
      tokenType: "Bearer",
      expiresIn: 3600,
      refreshToken: undefined,
      scope: undefined,
    });
    const [request] = seen;
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request?.headers.accept).toBe("application/json");
    const basic = Buffer.from(
      String(request?.headers.authorization).replace(/^Basic /, ""),
      "base64",
    ).toString();
    expect(basic).toBe("client+id%3A%C3%BC%26%3D:s3cret%3A%2B%2F+%25");
    const [id, secret] = basic.split(":").map((part) => decodeURIComponent(part.replaceAll("+", " ")));
    expect([id, secret]).toEqual(["client id:ü&=", "s3cret:+/ %"]);
    expect(request?.body.get("client_id")).toBeNull();
    expect(request?.body.get("client_secret")).toBeNull();
    expect(Object.fromEntries(request?.body ?? [])).toEqual(params);
  });

  it("client_secret_post: id and secret in the body, no Authorization header", async () => {
    await requestBackendToken({ client: client({ tokenEndpointAuthMethod: "client_secret_post" }), params });
    const [request] = seen;
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body.get("client_id")).toBe("client id:ü&=");
    expect(request?.body.get("client_secret")).toBe("s3cret:+/ %");
  });

  it("none: only client_id in the body", async () => {
    await requestBackendToken({
      client: client({ tokenEndpointAuthMethod: "none", clientSecret: null }),
      params,
    });
    const [request] = seen;
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body.get("client_id")).toBe("client id:ü&=");
    expect(request?.body.has("client_secret")).toBe(false);
  });

  it("accepts a lower-case bearer type, a string expires_in, a rotated refresh token and a scope", async () => {
    respond = json(200, {
      access_token: "a",
      token_type: "bearer",
      expires_in: "60",
      refresh_token: "r2",
      scope: "x y",
    });
    await expect(requestBackendToken({ client: client(), params })).resolves.toEqual({
      accessToken: "a",
      tokenType: "Bearer",
      expiresIn: 60,
      refreshToken: "r2",
      scope: "x y",
    });
  });

  it("refuses a non-bearer token type and a response without access_token, not retryable", async () => {
    respond = json(200, { access_token: "a", token_type: "DPoP" });
    const dpop = await failure(requestBackendToken({ client: client(), params }));
    expect([dpop.reason, dpop.retryable]).toEqual(["invalid_token_response", false]);
    respond = json(200, { token_type: "Bearer" });
    expect((await failure(requestBackendToken({ client: client(), params }))).reason).toBe(
      "invalid_token_response",
    );
    respond = (_req, res) => res.writeHead(200).end("<html>");
    expect((await failure(requestBackendToken({ client: client(), params }))).reason).toBe(
      "invalid_token_response",
    );
  });

  it("an OAuth error is not retryable and carries its code and status", async () => {
    respond = json(400, {
      error: "invalid_grant",
      error_description: "refresh token rt-secret-value is used",
    });
    const error = await failure(requestBackendToken({ client: client(), params }));
    expect([error.oauthError, error.retryable, error.responseStatus]).toEqual(["invalid_grant", false, 400]);
    expect(error.message).not.toContain("rt-secret-value");
    expect(error.userMessage).not.toContain("rt-secret-value");
  });

  it("5xx and 429 are retryable; only 503 and 429 say the request was not processed", async () => {
    respond = (_req, res) => res.writeHead(502).end("Bad gateway");
    const gateway = await failure(requestBackendToken({ client: client(), params }));
    expect([gateway.retryable, gateway.notProcessed, gateway.responseStatus, gateway.oauthError]).toEqual([
      true,
      false,
      502,
      undefined,
    ]);
    for (const status of [500, 504]) {
      respond = (_req, res) => res.writeHead(status).end();
      const error = await failure(requestBackendToken({ client: client(), params }));
      expect([error.retryable, error.notProcessed]).toEqual([true, false]);
    }
    respond = json(503, { error: "temporarily_unavailable" });
    const unavailable = await failure(requestBackendToken({ client: client(), params }));
    expect([unavailable.retryable, unavailable.notProcessed, unavailable.oauthError]).toEqual([
      true,
      true,
      "temporarily_unavailable",
    ]);
    expect(unavailable.retryAfterMs).toBeUndefined();
    respond = json(429, { error: "slow_down" });
    const limited = await failure(requestBackendToken({ client: client(), params }));
    expect([limited.retryable, limited.notProcessed]).toEqual([true, true]);
  });

  it("reads Retry-After of a 503 or 429 in seconds or as a date", async () => {
    respond = (_req, res) => res.writeHead(503, { "retry-after": "2" }).end();
    expect((await failure(requestBackendToken({ client: client(), params }))).retryAfterMs).toBe(2_000);
    const date = new Date(Date.now() + 60_000).toUTCString();
    respond = (_req, res) => res.writeHead(429, { "retry-after": date }).end();
    const dated = (await failure(requestBackendToken({ client: client(), params }))).retryAfterMs;
    expect(dated).toBeGreaterThan(55_000);
    expect(dated).toBeLessThanOrEqual(60_000);
  });

  it("a timeout and a connection reset after sending may have been processed; a refused connection was not", async () => {
    respond = () => undefined; // never answers
    const timeout = await failure(requestBackendToken({ client: client(), params, timeoutMs: 200 }));
    expect([timeout.reason, timeout.retryable, timeout.notProcessed]).toEqual(["timeout", true, false]);

    respond = (req) => req.socket.destroy();
    const reset = await failure(requestBackendToken({ client: client(), params }));
    expect([reset.reason, reset.retryable, reset.notProcessed]).toEqual(["network_error", true, false]);
    expect(seen.at(-1)?.body.get("refresh_token")).toBe("rt-secret-value");

    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const { port } = closed.address() as AddressInfo;
    closed.close();
    process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS += `,127.0.0.1:${port}`;
    resetEnvCache();
    const refused = await failure(
      requestBackendToken({ client: client({ tokenEndpoint: `http://127.0.0.1:${port}/token` }), params }),
    );
    expect([refused.reason, refused.retryable, refused.notProcessed]).toEqual(["network_error", true, true]);
  });

  it("caps expires_in at a year, also when it is huge or infinite (the grant is already used)", async () => {
    const year = 365 * 24 * 60 * 60;
    for (const expiresIn of ["1e400", "99999999999999999999", String(year + 1)]) {
      respond = (_req, res) =>
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(`{"access_token":"a","token_type":"Bearer","expires_in":${expiresIn}}`);
      expect((await requestBackendToken({ client: client(), params })).expiresIn, expiresIn).toBe(year);
    }
    respond = json(200, { access_token: "a", token_type: "Bearer", expires_in: "99999999999999999999" });
    expect((await requestBackendToken({ client: client(), params })).expiresIn).toBe(year);
    respond = json(200, { access_token: "a", token_type: "Bearer", expires_in: year });
    expect((await requestBackendToken({ client: client(), params })).expiresIn).toBe(year);
    respond = json(200, { access_token: "a", token_type: "Bearer", expires_in: -1 });
    expect((await failure(requestBackendToken({ client: client(), params }))).reason).toBe(
      "invalid_token_response",
    );
  });

  it("follows no redirect (the grant and secret would go along) and refuses unsafe URLs", async () => {
    respond = (_req, res) => res.writeHead(307, { location: `${origin}/elsewhere` }).end();
    const redirect = await failure(requestBackendToken({ client: client(), params }));
    expect([redirect.reason, redirect.retryable]).toEqual(["too_many_redirects", false]);
    expect(seen).toHaveLength(1);
    const privateUrl = await failure(
      requestBackendToken({ client: client({ tokenEndpoint: "http://10.0.0.1/token" }), params }),
    );
    expect(privateUrl.retryable).toBe(false);
  });
});
