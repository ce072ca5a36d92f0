import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { hashOpaqueSecret } from "../../auth/opaque-secrets";
import { REFRESH_TOKEN_TTL_SECONDS } from "../../auth/token-lifetimes";
import { getDb } from "../../db";
import { resetEnvCache } from "../../env";
import { getMetricsRegistry } from "../../observability/metrics";
import { createTestAiClient, createTestInstance, createTestUser } from "../../testing/tier1-fixtures";
import { runCleanup } from "./run-cleanup";

// The clean-up job on a real database: rows a minute either side of every cutoff, of every table it
// cleans, plus rows it must not touch. Every run in this file uses the same `now`, so what one test
// keeps is still kept in the next and each test's counts are its own rows.

const db = getDb();
const now = new Date();
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const GRACE = DAY;
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
/** Expired past the grace by a minute: goes. */
const pastGrace = at(-GRACE - MINUTE);
/** Expired, but still within the grace: stays. */
const withinGrace = at(-GRACE + MINUTE);
const familyCutoff = -REFRESH_TOKEN_TTL_SECONDS * 1000 - GRACE;

async function createOwner() {
  const user = await createTestUser();
  const instance = await createTestInstance({ userId: user.id });
  return { userId: user.id, instanceId: instance.id };
}

async function createCode(
  owner: { userId: string; instanceId: string },
  clientId: string,
  { expiresAt, consumed }: { expiresAt: Date; consumed: boolean },
) {
  return db.authorizationCode.create({
    data: {
      codeHash: hashOpaqueSecret(randomUUID()),
      clientId,
      ...owner,
      redirectUri: "http://127.0.0.1:33418/callback",
      codeChallenge: "x".repeat(43),
      scopes: ["mcp:access:*"],
      resource: `http://localhost:3000/mcp/${owner.instanceId}`,
      createdAt: new Date(expiresAt.getTime() - 10 * MINUTE),
      expiresAt,
      consumedAt: consumed ? new Date(expiresAt.getTime() - 5 * MINUTE) : null,
    },
  });
}

async function createFamily(
  owner: { userId: string; instanceId: string },
  clientId: string,
  {
    lastUsedAt,
    createdAt,
    authorizationCodeId,
  }: { lastUsedAt: Date | null; createdAt: Date; authorizationCodeId?: string },
) {
  return db.refreshTokenFamily.create({
    data: {
      clientId,
      ...owner,
      scopes: ["mcp:access:*"],
      resource: `http://localhost:3000/mcp/${owner.instanceId}`,
      lastUsedAt,
      createdAt,
      authorizationCodeId,
    },
  });
}

const createRefreshToken = (familyId: string, expiresAt: Date, rotated = false) =>
  db.refreshToken.create({
    data: {
      familyId,
      tokenHash: hashOpaqueSecret(randomUUID()),
      expiresAt,
      rotatedAt: rotated ? new Date(expiresAt.getTime() - DAY) : null,
    },
  });

const createAccessToken = (
  owner: { userId: string; instanceId: string },
  clientId: string,
  expiresAt: Date,
  options: { familyId?: string; revoked?: boolean } = {},
) =>
  db.issuedAccessToken.create({
    data: {
      jti: randomUUID(),
      clientId,
      familyId: options.familyId ?? null,
      ...owner,
      scopes: ["mcp:access:*"],
      expiresAt,
      revokedAt: options.revoked ? new Date(expiresAt.getTime() - MINUTE) : null,
    },
  });

async function createBackendStates(userId: string) {
  const server = await db.mcpServer.create({
    data: {
      name: "Cleanup",
      slug: `cleanup-${randomUUID().slice(0, 8)}`,
      url: "https://cleanup.example.test/mcp",
    },
  });
  const oauthClient = await db.oAuthClient.create({
    data: {
      mcpServerId: server.id,
      issuer: "https://as.cleanup.example.test",
      registrationType: "DCR",
      clientId: "backend-client",
      authorizationServerUrl: "https://as.cleanup.example.test",
      tokenEndpoint: "https://as.cleanup.example.test/token",
      authorizationEndpoint: "https://as.cleanup.example.test/authorize",
    },
  });
  const state = (expiresAt: Date, consumed: boolean) =>
    db.backendAuthorizationState.create({
      data: {
        stateHash: hashOpaqueSecret(randomUUID()),
        userId,
        mcpServerId: server.id,
        oauthClientId: oauthClient.id,
        codeVerifier: "v".repeat(43),
        redirectUri: "http://localhost:3000/oauth/callback",
        expiresAt,
        consumedAt: consumed ? new Date(expiresAt.getTime() - MINUTE) : null,
      },
    });
  return {
    gone: [await state(pastGrace, true), await state(pastGrace, false)],
    kept: [await state(withinGrace, true), await state(at(5 * MINUTE), false)],
    oauthClientId: oauthClient.id,
  };
}

const createAudit = (createdAt: Date, eventType: "mcp.tool_called" | "auth.sign_in" = "mcp.tool_called") =>
  db.auditLog.create({ data: { eventType, outcome: "SUCCESS", createdAt, detail: { tool: "echo" } } });

/** Row counts of tables the job never deletes from, to show they are untouched. */
async function countUntouchedTables() {
  return {
    users: await db.user.count(),
    instances: await db.mcpInstance.count(),
    aiClients: await db.aiClient.count(),
    servers: await db.mcpServer.count(),
    oauthClients: await db.oAuthClient.count(),
    apiKeys: await db.mcpApiKey.count(),
  };
}

async function readCounter(name: string): Promise<Map<string, number>> {
  const metric = getMetricsRegistry().getSingleMetric(name);
  const values = metric ? (await metric.get()).values : [];
  return new Map(values.map((v) => [Object.values(v.labels).join(","), v.value]));
}

const exists = {
  code: (id: string) => db.authorizationCode.findUnique({ where: { id } }),
  family: (id: string) => db.refreshTokenFamily.findUnique({ where: { id } }),
  refresh: (id: string) => db.refreshToken.findUnique({ where: { id } }),
  access: (jti: string) => db.issuedAccessToken.findUnique({ where: { jti } }),
  consent: (id: string) => db.consent.findUnique({ where: { id } }),
  state: (id: string) => db.backendAuthorizationState.findUnique({ where: { id } }),
  audit: (id: string) => db.auditLog.findUnique({ where: { id } }),
};

/** An InstanceTool row of the instance for the server, last seen at `lastSeenAt`. */
const createToolRecord = (instanceId: string, mcpServerId: string, name: string, lastSeenAt: Date) =>
  db.instanceTool.create({
    data: {
      instanceId,
      mcpServerId,
      name,
      digest: `digest-${name}`,
      definition: { name, description: `The ${name} tool.` },
      firstSeenAt: at(-400 * DAY),
      lastSeenAt,
    },
  });

/** An instance bundling a fresh server (created with its connection), and that server's id. */
async function createBundledServer(userId: string) {
  const slug = `tools-${randomUUID().slice(0, 8)}`;
  const instance = await createTestInstance({ userId, serverSlugs: [slug] });
  const server = await db.mcpServer.findUniqueOrThrow({ where: { slug } });
  return { instanceId: instance.id, serverId: server.id };
}

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

describe("runCleanup", () => {
  it("deletes exactly the rows past each table's cutoff, keeps the rest, and audits and counts the run", async () => {
    const owner = await createOwner();
    const { client } = await createTestAiClient();
    const other = await createTestAiClient();

    // Authorization codes: used or not, a day past expiry.
    const codesGone = [
      await createCode(owner, client.id, { expiresAt: pastGrace, consumed: true }),
      await createCode(owner, client.id, { expiresAt: pastGrace, consumed: false }),
    ];
    const codesKept = [
      await createCode(owner, client.id, { expiresAt: withinGrace, consumed: true }),
      await createCode(owner, client.id, { expiresAt: at(5 * MINUTE), consumed: false }),
    ];

    // A family still in use (started long ago, refreshed yesterday, a live token), started by a code
    // that is gone now: the family stays, its link to the code becomes null.
    const inUse = await createFamily(owner, client.id, {
      createdAt: at(-60 * DAY),
      lastUsedAt: at(-DAY),
      authorizationCodeId: codesGone[0]?.id,
    });
    const inUseRotated = await createRefreshToken(inUse.id, at(-GRACE - MINUTE), true);
    const inUseLive = await createRefreshToken(inUse.id, at(29 * DAY));

    // Families of `client` whose last use is past the family cutoff: gone once their tokens are gone,
    // except the user's newest family for the client (inUse here).
    const oldWithExpiredToken = await createFamily(owner, client.id, {
      createdAt: at(familyCutoff - 40 * DAY),
      lastUsedAt: at(familyCutoff - 2 * MINUTE),
    });
    const oldToken = await createRefreshToken(oldWithExpiredToken.id, pastGrace);
    const oldNeverUsed = await createFamily(owner, client.id, {
      createdAt: at(familyCutoff - MINUTE),
      lastUsedAt: null,
    });
    // Past the cutoff but with a token still inside the grace, or an access token record left: kept.
    const oldWithGraceToken = await createFamily(owner, client.id, {
      createdAt: at(familyCutoff - 40 * DAY),
      lastUsedAt: at(familyCutoff - 3 * MINUTE),
    });
    const graceToken = await createRefreshToken(oldWithGraceToken.id, withinGrace);
    const oldWithAccessRecord = await createFamily(owner, client.id, {
      createdAt: at(familyCutoff - 40 * DAY),
      lastUsedAt: at(familyCutoff - 4 * MINUTE),
    });
    const familyAccess = await createAccessToken(owner, client.id, withinGrace, {
      familyId: oldWithAccessRecord.id,
    });
    // Just inside the cutoff, no tokens: kept.
    const recentEmpty = await createFamily(owner, client.id, {
      createdAt: at(familyCutoff + MINUTE),
      lastUsedAt: null,
    });
    // The only family of another client for this user: old and empty, but the newest, so kept.
    const onlyFamily = await createFamily(owner, other.client.id, {
      createdAt: at(familyCutoff - 10 * DAY),
      lastUsedAt: at(familyCutoff - 5 * DAY),
    });

    // Access token records without a family (client_credentials).
    const accessGone = await createAccessToken(owner, client.id, pastGrace, { revoked: true });
    const accessKept = [
      await createAccessToken(owner, client.id, withinGrace, { revoked: true }),
      await createAccessToken(owner, client.id, at(10 * MINUTE)),
    ];

    const states = await createBackendStates(owner.userId);

    // Consents: revoked a day ago or more, or of a client disabled that long: gone.
    const consentInstance = async () => (await createTestInstance({ userId: owner.userId })).id;
    const consent = async (clientId: string, revokedAt: Date | null) =>
      db.consent.create({
        data: { userId: owner.userId, clientId, instanceId: await consentInstance(), scopes: [], revokedAt },
      });
    const disabledLongAgo = (await createTestAiClient()).client;
    await db.aiClient.update({ where: { id: disabledLongAgo.id }, data: { disabledAt: pastGrace } });
    const disabledRecently = (await createTestAiClient()).client;
    await db.aiClient.update({ where: { id: disabledRecently.id }, data: { disabledAt: withinGrace } });
    const consentsGone = [await consent(client.id, pastGrace), await consent(disabledLongAgo.id, null)];
    const consentsKept = [
      await consent(client.id, withinGrace),
      await consent(client.id, null),
      await consent(disabledRecently.id, null),
    ];

    const sessionGone = await db.session.create({
      data: { sessionToken: randomUUID(), userId: owner.userId, expires: pastGrace },
    });
    const sessionKept = await db.session.create({
      data: { sessionToken: randomUUID(), userId: owner.userId, expires: withinGrace },
    });
    await db.verificationToken.create({ data: { identifier: "a", token: "gone-token", expires: pastGrace } });
    await db.verificationToken.create({
      data: { identifier: "a", token: "kept-token", expires: withinGrace },
    });

    // Audit rows a minute either side of 90 days (AUDIT_RETENTION_DAYS's default).
    const auditGone = await createAudit(at(-90 * DAY - MINUTE));
    const auditKept = await createAudit(at(-90 * DAY + MINUTE), "auth.sign_in");

    const untouchedBefore = await countUntouchedTables();
    const rowsBefore = await readCounter("tumiki_cleanup_deleted_rows_total");
    const runsBefore = await readCounter("tumiki_cleanup_runs_total");

    const result = await runCleanup({ now });

    expect(result.deleted).toEqual({
      authorization_code: 2,
      issued_access_token: 1,
      refresh_token: 2,
      refresh_token_family: 2,
      backend_authorization_state: 2,
      consent: 2,
      session: 1,
      verification_token: 1,
      instance_tool: 0,
      audit_log: 1,
    });
    expect(result.total).toBe(14);
    expect(result.complete).toBe(true);

    for (const row of codesGone) expect(await exists.code(row.id)).toBeNull();
    for (const row of codesKept) expect(await exists.code(row.id)).not.toBeNull();
    expect(await exists.family(inUse.id)).toMatchObject({ authorizationCodeId: null, revokedAt: null });
    expect(await exists.refresh(inUseRotated.id)).toBeNull();
    expect(await exists.refresh(inUseLive.id)).not.toBeNull();
    expect(await exists.refresh(oldToken.id)).toBeNull();
    expect(await exists.family(oldWithExpiredToken.id)).toBeNull();
    expect(await exists.family(oldNeverUsed.id)).toBeNull();
    expect(await exists.family(oldWithGraceToken.id)).not.toBeNull();
    expect(await exists.refresh(graceToken.id)).not.toBeNull();
    expect(await exists.family(oldWithAccessRecord.id)).not.toBeNull();
    expect(await exists.access(familyAccess.jti)).not.toBeNull();
    expect(await exists.family(recentEmpty.id)).not.toBeNull();
    expect(await exists.family(onlyFamily.id)).not.toBeNull();
    expect(await exists.access(accessGone.jti)).toBeNull();
    for (const row of accessKept) expect(await exists.access(row.jti)).not.toBeNull();
    for (const row of states.gone) expect(await exists.state(row.id)).toBeNull();
    for (const row of states.kept) expect(await exists.state(row.id)).not.toBeNull();
    for (const row of consentsGone) expect(await exists.consent(row.id)).toBeNull();
    for (const row of consentsKept) expect(await exists.consent(row.id)).not.toBeNull();
    expect(await db.session.findUnique({ where: { id: sessionGone.id } })).toBeNull();
    expect(await db.session.findUnique({ where: { id: sessionKept.id } })).not.toBeNull();
    expect(
      (await db.verificationToken.findMany({ orderBy: { token: "asc" } })).map((row) => row.token),
    ).toEqual(["kept-token"]);
    expect(await exists.audit(auditGone.id)).toBeNull();
    expect(await exists.audit(auditKept.id)).not.toBeNull();
    // Disabled clients themselves stay (their rows explain old audit entries); so does everything else.
    expect(await countUntouchedTables()).toEqual(untouchedBefore);

    const audit = await db.auditLog.findFirstOrThrow({
      where: { eventType: "system.cleanup_completed" },
      orderBy: { createdAt: "desc" },
    });
    expect(audit.outcome).toBe("SUCCESS");
    expect(audit.durationMs).toBe(result.durationMs);
    expect(audit.detail).toMatchObject({
      total: 14,
      complete: true,
      batchSize: 5000,
      tables: expect.arrayContaining([
        { table: "refresh_token", deleted: 2 },
        { table: "issued_access_token", deleted: 1 },
        { table: "audit_log", deleted: 1 },
      ]),
    });

    const rowsAfter = await readCounter("tumiki_cleanup_deleted_rows_total");
    for (const [table, count] of Object.entries(result.deleted)) {
      expect((rowsAfter.get(table) ?? 0) - (rowsBefore.get(table) ?? 0)).toBe(count);
    }
    const runsAfter = await readCounter("tumiki_cleanup_runs_total");
    expect((runsAfter.get("success") ?? 0) - (runsBefore.get("success") ?? 0)).toBe(1);

    // Idempotent: a second run finds nothing left to delete.
    expect((await runCleanup({ now })).total).toBe(0);
  });

  it("forgets tools a server stopped serving past TOOL_RECORD_RETENTION_DAYS, and keeps idle instances' pins", async () => {
    const { userId } = await createOwner();
    const cutoff = -90 * DAY;
    // A server listed yesterday: a tool it last served a minute past the retention goes; one a minute
    // within it stays, as do the tools it still serves.
    const listed = await createBundledServer(userId);
    const served = await createToolRecord(listed.instanceId, listed.serverId, "served", at(-DAY));
    const stopped = await createToolRecord(
      listed.instanceId,
      listed.serverId,
      "stopped",
      at(cutoff - MINUTE),
    );
    const lately = await createToolRecord(listed.instanceId, listed.serverId, "lately", at(cutoff + MINUTE));
    // The same server bundled by an instance nobody listed for 200 days: every pin stays (forgetting
    // them all would make the next list a first sight, approving whatever the server serves then).
    const idle = await createBundledServer(userId);
    const idleTools = [
      await createToolRecord(idle.instanceId, idle.serverId, "a", at(-200 * DAY)),
      await createToolRecord(idle.instanceId, idle.serverId, "b", at(-200 * DAY)),
    ];
    // The same tool names recorded for another instance of the same server: its own rows, untouched.
    const sibling = await createTestInstance({ userId });
    await db.mcpInstanceConnection.create({
      data: {
        instanceId: sibling.id,
        userMcpConfigId: (
          await db.userMcpConfig.findFirstOrThrow({ where: { userId, mcpServerId: listed.serverId } })
        ).id,
      },
    });
    const siblingStopped = await createToolRecord(sibling.id, listed.serverId, "stopped", at(-200 * DAY));
    // A server the instance no longer bundles: its tools go once last seen past the retention.
    const unbundled = await createBundledServer(userId);
    await db.mcpInstanceConnection.deleteMany({ where: { instanceId: unbundled.instanceId } });
    const unbundledGone = await createToolRecord(
      unbundled.instanceId,
      unbundled.serverId,
      "old",
      at(cutoff - MINUTE),
    );
    const unbundledKept = await createToolRecord(
      unbundled.instanceId,
      unbundled.serverId,
      "recent",
      at(cutoff + MINUTE),
    );

    const untouchedBefore = await countUntouchedTables();
    const rowsBefore = await readCounter("tumiki_cleanup_deleted_rows_total");
    const result = await runCleanup({ now, batchSize: 1 });

    expect(result.deleted.instance_tool).toBe(2);
    const tool = (id: string) => db.instanceTool.findUnique({ where: { id } });
    expect(await tool(stopped.id)).toBeNull();
    expect(await tool(unbundledGone.id)).toBeNull();
    for (const kept of [served, lately, ...idleTools, siblingStopped, unbundledKept]) {
      expect(await tool(kept.id)).not.toBeNull();
    }
    expect(await countUntouchedTables()).toEqual(untouchedBefore);
    const rowsAfter = await readCounter("tumiki_cleanup_deleted_rows_total");
    expect((rowsAfter.get("instance_tool") ?? 0) - (rowsBefore.get("instance_tool") ?? 0)).toBe(2);
    const audit = await db.auditLog.findFirstOrThrow({
      where: { eventType: "system.cleanup_completed" },
      orderBy: { createdAt: "desc" },
    });
    expect(audit.detail).toMatchObject({
      tables: expect.arrayContaining([{ table: "instance_tool", deleted: 2 }]),
    });

    // A shorter window from the environment: the tool served 89 days ago goes too.
    vi.stubEnv("TOOL_RECORD_RETENTION_DAYS", "30");
    resetEnvCache();
    const shorter = await runCleanup({ now });
    expect(shorter.deleted.instance_tool).toBe(2);
    expect(await tool(lately.id)).toBeNull();
    expect(await tool(unbundledKept.id)).toBeNull();
    expect(await tool(served.id)).not.toBeNull();
    for (const kept of [...idleTools, siblingStopped]) expect(await tool(kept.id)).not.toBeNull();
  });

  it("two runs at once delete each expired row exactly once", async () => {
    const owner = await createOwner();
    const { client } = await createTestAiClient();
    const expired = { audit: 240, access: 90, codes: 45 };
    await db.auditLog.createMany({
      data: Array.from({ length: expired.audit }, (_, i) => ({
        eventType: "mcp.tool_called",
        outcome: "SUCCESS" as const,
        createdAt: at(-91 * DAY - i * MINUTE),
      })),
    });
    await db.auditLog.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({
        eventType: "mcp.tool_called",
        outcome: "SUCCESS" as const,
        createdAt: at(-89 * DAY + i * MINUTE),
      })),
    });
    await db.issuedAccessToken.createMany({
      data: Array.from({ length: expired.access }, () => ({
        jti: randomUUID(),
        clientId: client.id,
        ...owner,
        scopes: [],
        expiresAt: pastGrace,
      })),
    });
    for (let i = 0; i < expired.codes; i++) {
      await createCode(owner, client.id, { expiresAt: pastGrace, consumed: i % 2 === 0 });
    }
    const auditBefore = await db.auditLog.count();

    // Small batches, so both runs take many turns on the same tables.
    const [first, second] = await Promise.all([
      runCleanup({ now, batchSize: 7 }),
      runCleanup({ now, batchSize: 7 }),
    ]);

    expect(first.deleted.audit_log + second.deleted.audit_log).toBe(expired.audit);
    expect(first.deleted.issued_access_token + second.deleted.issued_access_token).toBe(expired.access);
    expect(first.deleted.authorization_code + second.deleted.authorization_code).toBe(expired.codes);
    expect(first.total + second.total).toBe(expired.audit + expired.access + expired.codes);
    // Each run wrote its own audit event; the 60 recent rows stayed.
    expect(await db.auditLog.count()).toBe(auditBefore - expired.audit + 2);
    expect(await db.auditLog.count({ where: { createdAt: { lt: at(-90 * DAY) } } })).toBe(0);
    expect(await db.issuedAccessToken.count({ where: { expiresAt: { lt: at(-GRACE) } } })).toBe(0);
  });

  it("stops at its time budget and leaves the rest for the next run", async () => {
    await createAudit(at(-100 * DAY));
    const runsBefore = await readCounter("tumiki_cleanup_runs_total");

    const stopped = await runCleanup({ now, timeBudgetMs: 0 });
    expect(stopped).toMatchObject({ complete: false, total: 0 });
    expect(await db.auditLog.count({ where: { createdAt: { lt: at(-90 * DAY) } } })).toBe(1);
    const runsAfter = await readCounter("tumiki_cleanup_runs_total");
    expect((runsAfter.get("partial") ?? 0) - (runsBefore.get("partial") ?? 0)).toBe(1);

    const resumed = await runCleanup({ now });
    expect(resumed).toMatchObject({ complete: true, total: 1 });
    expect(await db.auditLog.count({ where: { createdAt: { lt: at(-90 * DAY) } } })).toBe(0);
  });

  it("a failing statement fails the run, audited as FAILURE and counted", async () => {
    const runsBefore = await readCounter("tumiki_cleanup_runs_total");
    // PostgreSQL refuses a negative LIMIT: a real failure of the first statement.
    await expect(runCleanup({ now, batchSize: -1 })).rejects.toThrow();

    const audit = await db.auditLog.findFirstOrThrow({
      where: { eventType: "system.cleanup_completed", outcome: "FAILURE" },
    });
    expect(audit.reason).toBe("cleanup_failed");
    expect(audit.detail).toMatchObject({ failedTable: "authorization_code" });
    const runsAfter = await readCounter("tumiki_cleanup_runs_total");
    expect((runsAfter.get("failure") ?? 0) - (runsBefore.get("failure") ?? 0)).toBe(1);
  });
});
