import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { type AddressInfo, createServer } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startDemoBackend, type TDemoBackend } from "../../scripts/demo-backend/start-demo-backend";
import { flushAuditEvents } from "../audit/write-audit-event";
import { getAppUrl } from "../auth/resource-urls";
import { DecryptionError } from "../crypto/field-encryption";
import { getDb } from "../db";
import { resetEnvCache } from "../env";
import { AppError } from "../errors";
import { getRedis } from "../redis";
import { createBackendTokenFixture, readBackendTokenRow } from "../testing/backend-token-fixtures";
import { hashToken } from "../testing/hash-token";
import { postMcpInitialize } from "../testing/post-mcp-initialize";
import { toBackendAccessToken } from "./backend-access-token";
import { cacheToken, invalidateCachedToken, readCachedToken } from "./backend-token-cache";
import { disconnectBackend } from "./disconnect-backend";
import { getValidToken } from "./get-valid-token";
import { REFRESH_BACKOFF_MS } from "./is-refresh-backing-off";
import { ReAuthRequiredError } from "./re-auth-required-error";
import { refreshBackendToken } from "./refresh-backend-token";
import { saveBackendToken } from "./save-backend-token";

// The token manager against real services: PostgreSQL, Redis (REDIS_URL; one test runs its own
// redis-server to stop it), the demo backend's real authorization server (oidc-provider, rotating
// refresh tokens: reusing one is invalid_grant) and child processes for the cross-process cases.
// The AS counts token requests itself, so "one refresh" is measured where it matters.

const root = path.resolve(import.meta.dirname, "../..");
const redisUrl = process.env.REDIS_URL;
const onPostgres = /^postgres/.test(process.env.DATABASE_URL ?? "");

const ACCOUNT = "token-manager-user";
let backend: TDemoBackend;
let shortLived: TDemoBackend;
const allowed = new Set<string>();

function allow(port: number) {
  allowed.add(`localhost:${port}`);
  allowed.add(`127.0.0.1:${port}`);
  process.env.OUTBOUND_ALLOWED_PRIVATE_HOSTS = [...allowed].join(",");
  resetEnvCache();
}

const portOf = (url: string) => Number(new URL(url).port);
const refreshRequests = (demo: TDemoBackend) => demo.stats.tokenRequests.refresh_token ?? 0;
const cacheKey = (userId: string, mcpServerId: string) => `backend_token:${userId}:${mcpServerId}`;

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function auditEvents(mcpServerId: string, eventType: string) {
  await flushAuditEvents();
  return getDb().auditLog.findMany({ where: { mcpServerId, eventType }, orderBy: { createdAt: "asc" } });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

/** Changes the first character of a ciphertext's body (the last one may only hold padding bits). */
function tamper(ciphertext: string): string {
  const parts = ciphertext.split(":"); // enc:v1:<key id>:<iv>:<body>:<tag>
  const body = parts[4] ?? "";
  parts[4] = `${body.startsWith("A") ? "B" : "A"}${body.slice(1)}`;
  return parts.join(":");
}

type TChildResult = { hashes: string[]; errors: string[] };

/** Starts `count` processes that each make `calls` concurrent getValidToken calls, all at once. */
async function runConcurrentProcesses(options: {
  count: number;
  calls: number;
  userId: string;
  mcpServerId: string;
  env?: Record<string, string>;
}): Promise<TChildResult[]> {
  const children: ChildProcessWithoutNullStreams[] = [];
  const results: Promise<TChildResult>[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "server/testing/concurrent-get-valid-token.ts",
        options.userId,
        options.mcpServerId,
        String(options.calls),
      ],
      { cwd: root, env: { ...process.env, ...options.env } },
    );
    children.push(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const lines = createInterface({ input: child.stdout });
    let markReady: () => void = () => undefined;
    ready.push(new Promise((resolve) => (markReady = resolve)));
    results.push(
      new Promise((resolve, reject) => {
        lines.on("line", (line) => {
          if (line === "ready") markReady();
          else if (line.startsWith("{")) resolve(JSON.parse(line) as TChildResult);
        });
        child.on("exit", (code) => {
          if (code !== 0) reject(new Error(`child exited with ${code}: ${stderr.slice(-2000)}`));
        });
      }),
    );
  }
  await Promise.race([
    Promise.all(ready),
    Promise.all(results), // a child that dies before "ready" rejects here
  ]);
  for (const child of children) child.stdin.write("go\n");
  return Promise.all(results);
}

type TStandIn = {
  port: number;
  requests: { at: number; path: string; body: URLSearchParams }[];
  close(): void;
};

/** A token endpoint standing in for a failing AS: records each request, then lets `respond` answer. */
async function startStandInAs(
  respond: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<TStandIn> {
  const requests: TStandIn["requests"] = [];
  const server: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      requests.push({
        at: Date.now(),
        path: req.url ?? "",
        body: new URLSearchParams(Buffer.concat(chunks).toString()),
      });
      void respond(req, res);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  allow(port);
  return {
    port,
    requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A connection to the demo backend whose client now sends its token requests to `standIn`. */
async function fixtureAgainst(standIn: TStandIn, expiresAt?: Date) {
  const fixture = await createBackendTokenFixture({ backend, expiresAt });
  await getDb().oAuthClient.update({
    where: { id: fixture.oauthClient.id },
    data: { tokenEndpoint: `http://127.0.0.1:${standIn.port}/token` },
  });
  return fixture;
}

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, autoApproveAccount: ACCOUNT });
  shortLived = await startDemoBackend({ port: 0, autoApproveAccount: ACCOUNT, accessTokenTtlSeconds: 2 });
  allow(portOf(backend.origin));
  allow(portOf(shortLived.origin));
});

afterAll(async () => {
  await backend?.close();
  await shortLived?.close();
});

describe.skipIf(!redisUrl)("getValidToken / refreshBackendToken (PostgreSQL + Redis + demo AS)", () => {
  it("serves the second call from the Redis cache (encrypted, TTL ending at the buffer), not the database", async () => {
    const { user, server, token } = await createBackendTokenFixture({ backend });
    const first = await getValidToken({ userId: user.id, mcpServerId: server.id });
    expect(first.accessToken).toBe(token.accessToken);
    expect(first.tokenType).toBe("Bearer");

    const key = cacheKey(user.id, server.id);
    const raw = await getRedis().get(key);
    expect(raw).toMatch(/^enc:v1:/);
    expect(raw).not.toContain(token.accessToken);
    const ttl = await getRedis().pttl(key);
    // The demo AS issues 3600 s tokens; the entry ends 300 s (the buffer) before that.
    expect(ttl).toBeGreaterThan(3_200_000);
    expect(ttl).toBeLessThanOrEqual(3_300_000);

    await getDb().oAuthToken.update({ where: { id: token.id }, data: { accessToken: "changed-in-db" } });
    expect((await getValidToken({ userId: user.id, mcpServerId: server.id })).accessToken).toBe(
      token.accessToken,
    );

    await invalidateCachedToken({ userId: user.id, mcpServerId: server.id });
    expect(await getRedis().get(key)).toBeNull();
    expect((await getValidToken({ userId: user.id, mcpServerId: server.id })).accessToken).toBe(
      "changed-in-db",
    );
  });

  it("refreshes within the buffer, saving each rotated refresh token so none is sent twice", async () => {
    // 2 s tokens under a 300 s buffer: every call finds its token expiring and refreshes it.
    const { user, server, token, connection } = await createBackendTokenFixture({ backend: shortLived });
    const before = refreshRequests(shortLived);
    const seenAccess = new Set([token.accessToken]);
    const seenRefresh = new Set([token.refreshToken]);
    const started = Date.now();
    for (let i = 1; i <= 4; i += 1) {
      const fresh = await getValidToken({ userId: user.id, mcpServerId: server.id });
      expect(seenAccess.has(fresh.accessToken)).toBe(false);
      seenAccess.add(fresh.accessToken);
      const row = await readBackendTokenRow(connection.id);
      expect(row.accessToken).toBe(fresh.accessToken);
      expect(seenRefresh.has(row.refreshToken)).toBe(false);
      seenRefresh.add(row.refreshToken);
      expect(row).toMatchObject({ refreshCount: i, isValid: true, lastError: null });
      expect(row.lastRefreshedAt?.getTime()).toBeGreaterThanOrEqual(started - 1000);
      expect(row.expiresAt?.getTime()).toBeLessThanOrEqual(Date.now() + 3_000);
      // Inside the buffer already, so never cached.
      expect(await getRedis().get(cacheKey(user.id, server.id))).toBeNull();
    }
    // Four requests at the AS, each accepted: a reused (rotated-out) refresh token is invalid_grant,
    // which would have thrown ReAuthRequiredError above.
    expect(refreshRequests(shortLived) - before).toBe(4);

    // The last token is real: the backend's MCP endpoint accepts it.
    const last = [...seenAccess].at(-1) as string;
    const mcp = await postMcpInitialize({ url: shortLived.mcpUrl, accessToken: last });
    expect(mcp.status).toBe(200);
    await mcp.body?.cancel();

    const audits = await auditEvents(server.id, "backend.token_refreshed");
    expect(audits.map((a) => (a.detail as { refreshCount: number }).refreshCount)).toEqual([1, 2, 3, 4]);
    expect(audits[0]?.detail).toMatchObject({ rotated: true, attempts: 1, forced: false, lock: "redis" });
    const serialized = JSON.stringify(audits);
    for (const secret of [...seenAccess, ...seenRefresh]) expect(serialized).not.toContain(secret as string);
  });

  it("50 concurrent calls in one process send one refresh request", async () => {
    const { user, server } = await createBackendTokenFixture({
      backend,
      expiresAt: new Date(Date.now() + 60_000),
    });
    const before = refreshRequests(backend);
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => getValidToken({ userId: user.id, mcpServerId: server.id })),
    );
    expect(refreshRequests(backend) - before).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
  });

  it.skipIf(!onPostgres)(
    "50 concurrent calls over two processes send exactly one refresh request, and all get its token",
    async () => {
      const { user, server, token, connection } = await createBackendTokenFixture({
        backend,
        expiresAt: new Date(Date.now() + 60_000),
      });
      const before = refreshRequests(backend);
      const results = await runConcurrentProcesses({
        count: 2,
        calls: 25,
        userId: user.id,
        mcpServerId: server.id,
      });
      const measured = refreshRequests(backend) - before;
      console.info(
        `[concurrency] refresh requests counted at the AS for 50 calls over 2 processes: ${measured}`,
      );

      const row = await readBackendTokenRow(connection.id);
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      const hashes = results.flatMap((r) => r.hashes);
      expect(hashes).toHaveLength(50);
      expect(new Set(hashes)).toEqual(new Set([hashToken(row.accessToken)]));
      expect(row.accessToken).not.toBe(token.accessToken);
      expect(row.refreshCount).toBe(1);
      expect(measured).toBe(1);
    },
    90_000,
  );

  it("invalid_grant (grant revoked at the AS) → ReAuthRequiredError, token invalid, NEEDS_REAUTH, cache dropped, audited", async () => {
    const account = "revoked-account";
    const revoking = await startDemoBackend({ port: 0, autoApproveAccount: account });
    try {
      allow(portOf(revoking.origin));
      const { user, server, connection } = await createBackendTokenFixture({ backend: revoking });
      await getValidToken({ userId: user.id, mcpServerId: server.id });
      expect(await getRedis().get(cacheKey(user.id, server.id))).not.toBeNull();

      await revoking.revokeGrantsOf(account);
      const error = await rejection(
        refreshBackendToken({
          userId: user.id,
          mcpServerId: server.id,
          force: true,
          retry: { baseDelayMs: 10 },
        }),
      );
      expect(error).toBeInstanceOf(ReAuthRequiredError);
      const reauth = error as ReAuthRequiredError;
      expect(reauth.reconnectUrl).toBe(getAppUrl(`/servers?reconnect=${server.id}`));
      expect(reauth).toMatchObject({
        mcpServerId: server.id,
        serverName: server.name,
        reason: "invalid_grant",
      });
      expect(reauth.userMessage).toContain(reauth.reconnectUrl);
      expect(reauth.userMessage).toContain(server.name);
      expect(refreshRequests(revoking)).toBe(1); // not retried

      const row = await readBackendTokenRow(connection.id);
      expect(row).toMatchObject({ isValid: false, lastError: "invalid_grant", refreshCount: 0 });
      const status = await getDb().userMcpConfig.findUniqueOrThrow({ where: { id: connection.id } });
      expect(status.status).toBe("NEEDS_REAUTH");
      expect(await getRedis().get(cacheKey(user.id, server.id))).toBeNull();
      const [audit] = await auditEvents(server.id, "backend.token_refresh_failed");
      expect(audit).toMatchObject({ outcome: "FAILURE", reason: "invalid_grant", actorUserId: user.id });

      // From now on the manager answers at once, without asking the AS again.
      await expect(getValidToken({ userId: user.id, mcpServerId: server.id })).rejects.toBeInstanceOf(
        ReAuthRequiredError,
      );
      expect(refreshRequests(revoking)).toBe(1);
    } finally {
      await revoking.close();
    }
  });

  it("AS answering 503: retries, then keeps the still-valid token and records the failure", async () => {
    let hits = 0;
    const failing: Server = createHttpServer((_req, res) => {
      hits += 1;
      res.writeHead(503, { "content-type": "text/plain" }).end("down");
    });
    failing.listen(0, "127.0.0.1");
    await once(failing, "listening");
    try {
      const { port } = failing.address() as AddressInfo;
      allow(port);
      const { user, server, token, oauthClient, connection } = await createBackendTokenFixture({ backend });
      await getDb().oAuthClient.update({
        where: { id: oauthClient.id },
        data: { tokenEndpoint: `http://127.0.0.1:${port}/token` },
      });
      const kept = await refreshBackendToken({
        userId: user.id,
        mcpServerId: server.id,
        force: true,
        retry: { attempts: 3, baseDelayMs: 20 },
      });
      expect(hits).toBe(3);
      expect(kept.accessToken).toBe(token.accessToken);
      const row = await readBackendTokenRow(connection.id);
      expect(row).toMatchObject({ isValid: true, lastError: "server_unavailable", refreshCount: 0 });
      const [audit] = await auditEvents(server.id, "backend.token_refresh_failed");
      expect(audit?.reason).toBe("server_unavailable");
      expect(audit?.detail).toMatchObject({
        attempts: 3,
        keptCurrentAccess: true,
        retryable: true,
        status: 503,
      });

      // An expiring (not yet expired) token is served too, after the default retries (once the
      // backoff after the failure above has passed).
      await getDb().$executeRaw`UPDATE "OAuthToken" SET "expiresAt" = ${new Date(Date.now() + 60_000)},
        "updatedAt" = ${new Date(Date.now() - REFRESH_BACKOFF_MS - 1_000)} WHERE id = ${token.id}`;
      await invalidateCachedToken({ userId: user.id, mcpServerId: server.id });
      expect((await getValidToken({ userId: user.id, mcpServerId: server.id })).accessToken).toBe(
        token.accessToken,
      );
      expect(hits).toBe(6);
    } finally {
      failing.close();
    }
  });

  it("a refresh that timed out, was reset or got a 500/502/504 is not retried: the refresh token is sent once", async () => {
    const cases: [string, (req: IncomingMessage, res: ServerResponse) => void, string][] = [
      ["timeout", () => undefined, "timeout"],
      ["reset", (req) => req.socket.destroy(), "network_error"],
      ["502", (_req, res) => res.writeHead(502).end("Bad gateway"), "server_unavailable"],
      ["500", (_req, res) => res.writeHead(500).end(), "server_unavailable"],
      ["504", (_req, res) => res.writeHead(504).end(), "server_unavailable"],
    ];
    for (const [name, respond, reason] of cases) {
      const standIn = await startStandInAs(respond);
      try {
        const { user, server, token, connection } = await fixtureAgainst(standIn);
        const kept = await refreshBackendToken({
          userId: user.id,
          mcpServerId: server.id,
          force: true,
          retry: { attempts: 3, baseDelayMs: 10, timeoutMs: 300 },
        });
        expect(
          standIn.requests.map((r) => r.body.get("refresh_token")),
          name,
        ).toEqual([token.refreshToken]);
        expect(kept.accessToken, name).toBe(token.accessToken);
        const row = await readBackendTokenRow(connection.id);
        expect(row, name).toMatchObject({
          isValid: true,
          lastError: reason,
          refreshToken: token.refreshToken,
        });
        const [audit] = await auditEvents(server.id, "backend.token_refresh_failed");
        expect(audit?.detail, name).toMatchObject({ attempts: 1, keptCurrentAccess: true });
      } finally {
        standIn.close();
      }
    }

    // Expired: the same single request, then the clear UNAVAILABLE error.
    const standIn = await startStandInAs(() => undefined);
    try {
      const { user, server } = await fixtureAgainst(standIn, new Date(Date.now() - 1_000));
      const error = await rejection(
        refreshBackendToken({ userId: user.id, mcpServerId: server.id, retry: { timeoutMs: 300 } }),
      );
      expect((error as AppError).code).toBe("UNAVAILABLE");
      expect((error as AppError).userMessage).toBe(
        `${server.name} could not refresh its token: its authorization server did not answer. Try again shortly.`,
      );
      expect(standIn.requests).toHaveLength(1);
    } finally {
      standIn.close();
    }
  });

  it("a 503 or 429 is retried after a short Retry-After, and not at all after a long one", async () => {
    const short = await startStandInAs((_req, res) => {
      res.writeHead(429, { "retry-after": "1" }).end();
    });
    const long = await startStandInAs((_req, res) => {
      res.writeHead(503, { "retry-after": "60" }).end();
    });
    try {
      const a = await fixtureAgainst(short);
      await refreshBackendToken({
        userId: a.user.id,
        mcpServerId: a.server.id,
        force: true,
        retry: { attempts: 2, baseDelayMs: 10 },
      });
      expect(short.requests).toHaveLength(2);
      const [first, second] = short.requests;
      expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);

      const b = await fixtureAgainst(long);
      await refreshBackendToken({ userId: b.user.id, mcpServerId: b.server.id, force: true });
      expect(long.requests).toHaveLength(1);
    } finally {
      short.close();
      long.close();
    }
  });

  it("after a refresh without a verdict (502), nobody asks the AS again during the backoff; force, the backoff's end and expiry do", async () => {
    const standIn = await startStandInAs((_req, res) => {
      res.writeHead(502).end("Bad gateway");
    });
    try {
      const { user, server, token } = await fixtureAgainst(standIn, new Date(Date.now() + 60_000));
      const ids = { userId: user.id, mcpServerId: server.id };
      expect((await getValidToken(ids)).accessToken).toBe(token.accessToken);
      expect(standIn.requests).toHaveLength(1);

      // Within the backoff: concurrent and sequential calls, the refresh itself, and another process.
      const served = await Promise.all(Array.from({ length: 10 }, () => getValidToken(ids)));
      expect(new Set(served.map((t) => t.accessToken))).toEqual(new Set([token.accessToken]));
      expect((await getValidToken(ids)).accessToken).toBe(token.accessToken);
      expect((await refreshBackendToken(ids)).accessToken).toBe(token.accessToken);
      const [child] = await runConcurrentProcesses({ count: 1, calls: 5, ...ids });
      expect(child?.errors).toEqual([]);
      expect(child?.hashes).toEqual(Array(5).fill(hashToken(token.accessToken)));
      expect(standIn.requests).toHaveLength(1);

      // "Refresh now" tries anyway, still once for concurrent callers.
      await Promise.all([
        refreshBackendToken({ ...ids, force: true }),
        refreshBackendToken({ ...ids, force: true }),
        getValidToken(ids),
      ]);
      expect(standIn.requests).toHaveLength(2);

      // After the backoff, the next call tries again.
      await getDb().$executeRaw`UPDATE "OAuthToken"
        SET "updatedAt" = ${new Date(Date.now() - REFRESH_BACKOFF_MS - 1_000)} WHERE id = ${token.id}`;
      expect((await getValidToken(ids)).accessToken).toBe(token.accessToken);
      expect(standIn.requests).toHaveLength(3);
      expect((await getValidToken(ids)).accessToken).toBe(token.accessToken);
      expect(standIn.requests).toHaveLength(3);

      // An expired token is useless: within the backoff, the next call tries again.
      await getDb().oAuthToken.update({
        where: { id: token.id },
        data: { expiresAt: new Date(Date.now() - 1_000) },
      });
      expect(((await rejection(getValidToken(ids))) as AppError).code).toBe("UNAVAILABLE");
      expect(standIn.requests).toHaveLength(4);
      expect(new Set(standIn.requests.map((r) => r.body.get("refresh_token")))).toEqual(
        new Set([token.refreshToken]),
      );
    } finally {
      standIn.close();
    }
  }, 30_000);

  it("a token issued while the row changed is dropped, audited as superseded, and revoked only when the connection is gone", async () => {
    for (const change of ["disconnected", "reconnected"] as const) {
      let changeRow: () => Promise<void> = async () => undefined;
      const standIn = await startStandInAs(async (req, res) => {
        if (req.url === "/token") await changeRow();
        res.writeHead(200, { "content-type": "application/json" }).end(
          req.url === "/token"
            ? JSON.stringify({
                access_token: `discarded-access-${change}`,
                token_type: "Bearer",
                refresh_token: `discarded-refresh-${change}`,
                expires_in: 3600,
              })
            : "",
        );
      });
      try {
        const { user, server, oauthClient, connection } = await fixtureAgainst(standIn);
        await getDb().oAuthClient.update({
          where: { id: oauthClient.id },
          data: { revocationEndpoint: `http://127.0.0.1:${standIn.port}/revoke` },
        });
        const ids = { userId: user.id, mcpServerId: server.id };
        changeRow =
          change === "disconnected"
            ? async () => {
                await getDb().oAuthToken.deleteMany({ where: { userMcpConfigId: connection.id } });
              }
            : () =>
                saveBackendToken({
                  ...ids,
                  oauthClientId: oauthClient.id,
                  token: {
                    accessToken: "after-reconnect",
                    tokenType: "Bearer",
                    refreshToken: "r-after-reconnect",
                    expiresIn: 3600,
                    scope: undefined,
                  },
                  requestedScope: null,
                });

        const result = refreshBackendToken({ ...ids, force: true });
        if (change === "disconnected") {
          const error = await rejection(result);
          expect(error, change).toBeInstanceOf(ReAuthRequiredError);
          expect((error as ReAuthRequiredError).reason).toBe("not_connected");
          await vi.waitFor(() => expect(standIn.requests.map((r) => r.path)).toEqual(["/token", "/revoke"]));
          const revocation = standIn.requests[1]?.body;
          expect(revocation?.get("token")).toBe("discarded-refresh-disconnected");
          expect(revocation?.get("token_type_hint")).toBe("refresh_token");
        } else {
          expect((await result).accessToken, change).toBe("after-reconnect");
          expect((await readBackendTokenRow(connection.id)).refreshToken).toBe("r-after-reconnect");
          await new Promise((resolve) => setTimeout(resolve, 200));
          expect(standIn.requests.map((r) => r.path)).toEqual(["/token"]);
        }

        const audits = await auditEvents(server.id, "backend.token_refresh_failed");
        expect(audits, change).toHaveLength(1);
        expect(audits[0], change).toMatchObject({ outcome: "FAILURE", reason: "superseded" });
        expect(audits[0]?.detail, change).toMatchObject({
          connectionGone: change === "disconnected",
          revokingDiscarded: change === "disconnected",
          forced: true,
        });
        expect(JSON.stringify(audits)).not.toContain("discarded-");
      } finally {
        standIn.close();
      }
    }
  });

  it("a reconnect while a refresh fails is not marked invalid or failed: the new grant is the answer", async () => {
    for (const [name, status, body] of [
      ["invalid_grant", 400, { error: "invalid_grant" }],
      ["502", 502, {}],
    ] as const) {
      let reconnect: () => Promise<void> = async () => undefined;
      const standIn = await startStandInAs(async (_req, res) => {
        await reconnect();
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      });
      try {
        const { user, server, oauthClient, connection } = await fixtureAgainst(standIn);
        reconnect = () =>
          saveBackendToken({
            userId: user.id,
            mcpServerId: server.id,
            oauthClientId: oauthClient.id,
            token: {
              accessToken: `reconnected-${name}`,
              tokenType: "Bearer",
              refreshToken: "r-new",
              expiresIn: 3600,
              scope: undefined,
            },
            requestedScope: null,
          });
        const token = await refreshBackendToken({ userId: user.id, mcpServerId: server.id, force: true });

        expect(token.accessToken, name).toBe(`reconnected-${name}`);
        expect(await readBackendTokenRow(connection.id), name).toMatchObject({
          accessToken: `reconnected-${name}`,
          isValid: true,
          lastError: null,
        });
        const status = await getDb().userMcpConfig.findUniqueOrThrow({ where: { id: connection.id } });
        expect(status.status, name).toBe("CONNECTED");
        expect(await auditEvents(server.id, "backend.token_refresh_failed"), name).toEqual([]);
      } finally {
        standIn.close();
      }
    }
  });

  it("a cache write from a read before a disconnect or reconnect does not bring the old token back", async () => {
    // What getValidToken does on a miss, with the other change landing between its database read and
    // its cache write.
    const gone = await createBackendTokenFixture({ backend });
    const goneIds = { userId: gone.user.id, mcpServerId: gone.server.id };
    const before = await readCachedToken(goneIds);
    const staleRow = await readBackendTokenRow(gone.connection.id);
    await disconnectBackend(goneIds);
    await cacheToken({ ...goneIds, token: toBackendAccessToken(staleRow), generation: before.generation });
    expect(await getRedis().get(cacheKey(gone.user.id, gone.server.id))).not.toBeNull(); // the late write landed
    expect((await readCachedToken(goneIds)).token).toBeNull();
    const error = await rejection(getValidToken(goneIds));
    expect(error).toBeInstanceOf(ReAuthRequiredError);
    expect((error as ReAuthRequiredError).reason).toBe("not_connected");

    const replaced = await createBackendTokenFixture({ backend });
    const ids = { userId: replaced.user.id, mcpServerId: replaced.server.id };
    const { generation } = await readCachedToken(ids);
    const oldRow = await readBackendTokenRow(replaced.connection.id);
    await saveBackendToken({
      ...ids,
      oauthClientId: replaced.oauthClient.id,
      token: {
        accessToken: "after-reconnect",
        tokenType: "Bearer",
        refreshToken: undefined,
        expiresIn: 3600,
        scope: undefined,
      },
      requestedScope: null,
    });
    await cacheToken({ ...ids, token: toBackendAccessToken(oldRow), generation });
    expect((await getValidToken(ids)).accessToken).toBe("after-reconnect");

    // Control: with nothing in between, the same write is what the next call gets.
    const { generation: current } = await readCachedToken(ids);
    await cacheToken({
      ...ids,
      token: { ...toBackendAccessToken(oldRow), accessToken: "cached" },
      generation: current,
    });
    expect((await getValidToken(ids)).accessToken).toBe("cached");
  });

  it("expired token and an unreachable AS: a clear UNAVAILABLE error after the retries", async () => {
    const { user, server, token, oauthClient, connection } = await createBackendTokenFixture({
      backend,
      expiresAt: new Date(Date.now() - 1_000),
    });
    const closedPort = await freePort();
    allow(closedPort);
    await getDb().oAuthClient.update({
      where: { id: oauthClient.id },
      data: { tokenEndpoint: `http://127.0.0.1:${closedPort}/token` },
    });
    const error = await rejection(getValidToken({ userId: user.id, mcpServerId: server.id }));
    expect(error).toBeInstanceOf(AppError);
    expect(error).not.toBeInstanceOf(ReAuthRequiredError);
    expect((error as AppError).code).toBe("UNAVAILABLE");
    expect((error as AppError).userMessage).toBe(
      `${server.name} could not refresh its token: its authorization server did not answer. Try again shortly.`,
    );
    expect((error as AppError).message).not.toContain(token.refreshToken as string);
    const row = await readBackendTokenRow(connection.id);
    expect(row).toMatchObject({ isValid: true, lastError: "network_error" });
    const [audit] = await auditEvents(server.id, "backend.token_refresh_failed");
    expect(audit?.detail).toMatchObject({ attempts: 3, keptCurrentAccess: false });
  });

  it("a tampered token column fails with DecryptionError", async () => {
    const { user, server, token } = await createBackendTokenFixture({ backend });
    const [stored] = await getDb().$queryRaw<{ accessToken: string }[]>`
      SELECT "accessToken" FROM "OAuthToken" WHERE id = ${token.id}`;
    const tampered = tamper(stored?.accessToken ?? "");
    await getDb().$executeRaw`UPDATE "OAuthToken" SET "accessToken" = ${tampered} WHERE id = ${token.id}`;
    await expect(getValidToken({ userId: user.id, mcpServerId: server.id })).rejects.toBeInstanceOf(
      DecryptionError,
    );
  });

  it("a tampered or transplanted cache entry is dropped and the database answers", async () => {
    const a = await createBackendTokenFixture({ backend });
    const b = await createBackendTokenFixture({ backend });
    await getValidToken({ userId: a.user.id, mcpServerId: a.server.id });
    await getValidToken({ userId: b.user.id, mcpServerId: b.server.id });
    const keyA = cacheKey(a.user.id, a.server.id);
    const keyB = cacheKey(b.user.id, b.server.id);

    await getDb().oAuthToken.update({ where: { id: a.token.id }, data: { accessToken: "a-from-db" } });
    const cached = (await getRedis().get(keyA)) as string;
    const tampered = tamper(cached);
    await getRedis().set(keyA, tampered, { px: 60_000 });
    expect((await getValidToken({ userId: a.user.id, mcpServerId: a.server.id })).accessToken).toBe(
      "a-from-db",
    );
    const rewritten = await getRedis().get(keyA);
    expect(rewritten).not.toBe(tampered);
    await getDb().oAuthToken.update({ where: { id: a.token.id }, data: { accessToken: "a-later" } });
    expect((await getValidToken({ userId: a.user.id, mcpServerId: a.server.id })).accessToken).toBe(
      "a-from-db",
    );

    // A's entry under B's key does not decrypt (bound to its key): B gets its own token.
    await getRedis().set(keyB, rewritten as string, { px: 60_000 });
    expect((await getValidToken({ userId: b.user.id, mcpServerId: b.server.id })).accessToken).toBe(
      b.token.accessToken,
    );
  });
});

describe.skipIf(!onPostgres)("without Redis (its own redis-server, killed mid-test)", () => {
  it("serves from the database, refreshes under the PostgreSQL advisory lock, one refresh across processes", async () => {
    const port = await freePort();
    const redis = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: "ignore",
      },
    );
    const savedRedisUrl = process.env.REDIS_URL;
    const ownRedisUrl = `redis://127.0.0.1:${port}`;
    try {
      process.env.REDIS_URL = ownRedisUrl;
      vi.resetModules();
      const fresh = {
        ...(await import("./get-valid-token")),
        ...(await import("./refresh-backend-token")),
        ...(await import("../redis")),
        ...(await import("../audit/write-audit-event")),
        ...(await import("./with-refresh-lock")),
      };
      // The fresh env module parses REDIS_URL again; wait for the server to accept connections.
      for (let i = 0; i < 50; i += 1) {
        if (
          await fresh
            .getRedis()
            .ping()
            .then(
              () => true,
              () => false,
            )
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      const { user, server, token, connection } = await createBackendTokenFixture({ backend });
      const key = cacheKey(user.id, server.id);
      await fresh.getValidToken({ userId: user.id, mcpServerId: server.id });
      expect(await fresh.getRedis().get(key)).not.toBeNull();

      await getDb().oAuthToken.update({
        where: { id: token.id },
        data: { accessToken: "db-while-redis-down" },
      });
      redis.kill("SIGKILL");
      await once(redis, "exit");
      await expect(fresh.getRedis().ping()).rejects.toThrow();

      expect((await fresh.getValidToken({ userId: user.id, mcpServerId: server.id })).accessToken).toBe(
        "db-while-redis-down",
      );

      const before = refreshRequests(backend);
      const refreshed = await fresh.refreshBackendToken({
        userId: user.id,
        mcpServerId: server.id,
        force: true,
      });
      expect(refreshRequests(backend) - before).toBe(1);
      expect((await readBackendTokenRow(connection.id)).accessToken).toBe(refreshed.accessToken);
      await fresh.flushAuditEvents();
      const [audit] = await auditEvents(server.id, "backend.token_refreshed");
      expect(audit?.detail).toMatchObject({ lock: "postgres", forced: true });

      // Two processes, Redis unreachable to both: the advisory lock alone serialises them.
      await getDb().oAuthToken.update({
        where: { id: token.id },
        data: { expiresAt: new Date(Date.now() + 60_000) },
      });
      const beforeProcesses = refreshRequests(backend);
      const results = await runConcurrentProcesses({
        count: 2,
        calls: 5,
        userId: user.id,
        mcpServerId: server.id,
        env: { REDIS_URL: ownRedisUrl },
      });
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      const row = await readBackendTokenRow(connection.id);
      expect(new Set(results.flatMap((r) => r.hashes))).toEqual(new Set([hashToken(row.accessToken)]));
      expect(refreshRequests(backend) - beforeProcesses).toBe(1);
      const locks = (await auditEvents(server.id, "backend.token_refreshed")).map(
        (a) => (a.detail as { lock: string }).lock,
      );
      expect(locks).toEqual(["postgres", "postgres"]);

      // Ten fallback holders in one process (a connection each): every transaction keeps a pooled
      // connection while its work queries on another, yet they cannot take the whole pool (10).
      const holders = Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          fresh.withRefreshLock({
            userId: user.id,
            mcpServerId: `pool-${i}`,
            run: async (lock) => {
              await new Promise((resolve) => setTimeout(resolve, 100));
              await getDb().$queryRaw`SELECT 1`;
              return lock.kind;
            },
          }),
        ),
      );
      const stuck = new Promise((resolve) => setTimeout(resolve, 15_000, "stuck"));
      expect(await Promise.race([holders, stuck])).toEqual(Array(10).fill("postgres"));
      await fresh.getRedis().close();
    } finally {
      redis.kill("SIGKILL");
      process.env.REDIS_URL = savedRedisUrl;
      resetEnvCache();
      vi.resetModules();
    }
  }, 90_000);
});

describe.skipIf(!onPostgres)("with PostgreSQL and no Redis configured (in-memory store)", () => {
  it("locks with the PostgreSQL advisory lock, so two processes send one refresh", async () => {
    const savedRedisUrl = process.env.REDIS_URL;
    try {
      process.env.REDIS_URL = "";
      vi.resetModules();
      const fresh = { ...(await import("./with-refresh-lock")), ...(await import("../redis")) };
      expect(fresh.getRedis().kind).toBe("memory");
      // The in-memory store's lock would hold in this process only.
      expect(
        await fresh.withRefreshLock({ userId: "u", mcpServerId: "s", run: async (lock) => lock.kind }),
      ).toBe("postgres");

      const { user, server, connection } = await createBackendTokenFixture({
        backend,
        expiresAt: new Date(Date.now() + 60_000),
      });
      const before = refreshRequests(backend);
      const results = await runConcurrentProcesses({
        count: 2,
        calls: 5,
        userId: user.id,
        mcpServerId: server.id,
        env: { REDIS_URL: "" },
      });
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      const row = await readBackendTokenRow(connection.id);
      expect(new Set(results.flatMap((r) => r.hashes))).toEqual(new Set([hashToken(row.accessToken)]));
      expect(refreshRequests(backend) - before).toBe(1);
      const locks = (await auditEvents(server.id, "backend.token_refreshed")).map(
        (a) => (a.detail as { lock: string }).lock,
      );
      expect(locks).toEqual(["postgres"]);
    } finally {
      process.env.REDIS_URL = savedRedisUrl;
      resetEnvCache();
      vi.resetModules();
    }
  }, 60_000);
});
