import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { flushAuditEvents } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { AppError } from "../../errors";
import { createTestInstance, createTestUser } from "../../testing/tier1-fixtures";
import { hashOpaqueSecret, isSecretMatchingHash } from "../opaque-secrets";
import { createM2mClient } from "./create-m2m-client";
import { deleteM2mClient } from "./delete-m2m-client";
import { listM2mClients } from "./list-m2m-clients";
import { resolveAiClient } from "./resolve-ai-client";

async function setUp() {
  const user = await createTestUser();
  const instance = await createTestInstance({ userId: user.id, serverSlugs: ["notion", "github"] });
  return { user, instance };
}

async function appError(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("createM2mClient", () => {
  it("creates a client_credentials client whose secret is shown once and stored hashed", async () => {
    const { user, instance } = await setUp();

    const created = await createM2mClient({
      userId: user.id,
      instanceId: instance.id,
      name: "Nightly job",
      scopes: ["mcp:access:notion", "mcp:access:github", "mcp:access:notion"],
      origin: { ip: "203.0.113.7", userAgent: "test" },
    });

    expect(created.clientSecret).toMatch(/^tmk_cs_[A-Za-z0-9_-]{43}$/);
    const row = await getDb().aiClient.findUniqueOrThrow({ where: { clientId: created.clientId } });
    expect(row).toMatchObject({
      id: created.id,
      kind: "M2M",
      name: "Nightly job",
      tokenEndpointAuthMethod: "client_secret_basic",
      grantTypes: ["client_credentials"],
      redirectUris: [],
      scope: "mcp:access:notion mcp:access:github",
      ownerUserId: user.id,
      instanceId: instance.id,
    });
    expect(row.clientSecretHash).toBe(hashOpaqueSecret(created.clientSecret));
    expect(isSecretMatchingHash(created.clientSecret, row.clientSecretHash ?? "")).toBe(true);
    expect(JSON.stringify(row)).not.toContain(created.clientSecret);

    await flushAuditEvents();
    const audit = await getDb().auditLog.findFirstOrThrow({ where: { clientId: row.id } });
    expect(audit).toMatchObject({
      eventType: "oauth.client_registered",
      outcome: "SUCCESS",
      actorUserId: user.id,
      instanceId: instance.id,
      ip: "203.0.113.7",
    });
    expect(audit.detail).toMatchObject({ kind: "M2M" });
    expect(JSON.stringify(audit)).not.toContain(created.clientSecret);
  });

  it("accepts the whole-instance scope", async () => {
    const { user, instance } = await setUp();
    const created = await createM2mClient({
      userId: user.id,
      instanceId: instance.id,
      name: "All servers",
      scopes: ["mcp:access:*"],
    });
    expect((await getDb().aiClient.findUniqueOrThrow({ where: { id: created.id } })).scope).toBe(
      "mcp:access:*",
    );
  });

  it("refuses a scope the instance does not offer, creating nothing", async () => {
    const { user, instance } = await setUp();
    // `mcp:access:notion:extra` is a tool scope of a bundled server (tool-scope-grants.db.test.ts); a tool
    // scope of another server or with a malformed tool name is not offered.
    for (const scope of [
      "mcp:access:slack",
      "mcp:access:not",
      "openid",
      "mcp:access:slack:extra",
      "mcp:access:notion:bad/name",
    ]) {
      const error = await appError(
        createM2mClient({
          userId: user.id,
          instanceId: instance.id,
          name: "x",
          scopes: ["mcp:access:notion", scope],
        }),
      );
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.userMessage).toContain(scope);
    }
    expect(await getDb().aiClient.count({ where: { ownerUserId: user.id } })).toBe(0);
  });

  it("refuses another user's instance and an unknown one as not found", async () => {
    const { instance } = await setUp();
    const stranger = await createTestUser();
    for (const instanceId of [instance.id, randomUUID(), "not-a-uuid"]) {
      const error = await appError(
        createM2mClient({ userId: stranger.id, instanceId, name: "x", scopes: ["mcp:access:*"] }),
      );
      expect(error.code).toBe("NOT_FOUND");
    }
    expect(await getDb().aiClient.count({ where: { ownerUserId: stranger.id } })).toBe(0);
  });
});

describe("listM2mClients", () => {
  it("lists only the user's M2M clients, with instance and scopes, never a secret hash", async () => {
    const { user, instance } = await setUp();
    const other = await setUp();
    const mine = await createM2mClient({
      userId: user.id,
      instanceId: instance.id,
      name: "Mine",
      scopes: ["mcp:access:github"],
    });
    await createM2mClient({
      userId: other.user.id,
      instanceId: other.instance.id,
      name: "Theirs",
      scopes: ["mcp:access:*"],
    });

    const listed = await listM2mClients({ userId: user.id });

    expect(listed).toEqual([
      {
        id: mine.id,
        clientId: mine.clientId,
        name: "Mine",
        instance: { id: instance.id, name: instance.name },
        scopes: ["mcp:access:github"],
        createdAt: expect.any(Date),
        lastUsedAt: null,
      },
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/clientSecretHash|[0-9a-f]{64}/);
  });
});

describe("deleteM2mClient", () => {
  async function issueToken(clientId: string, instanceId: string, userId: string) {
    return getDb().issuedAccessToken.create({
      data: {
        jti: randomUUID(),
        clientId,
        userId,
        instanceId,
        scopes: ["mcp:access:*"],
        expiresAt: new Date(Date.now() + 900_000),
      },
    });
  }

  it("disables the client and revokes its tokens together; it is then unknown and unlisted", async () => {
    const { user, instance } = await setUp();
    const created = await createM2mClient({
      userId: user.id,
      instanceId: instance.id,
      name: "Job",
      scopes: ["mcp:access:*"],
    });
    const token = await issueToken(created.id, instance.id, user.id);
    const sibling = await createM2mClient({
      userId: user.id,
      instanceId: instance.id,
      name: "Sibling",
      scopes: ["mcp:access:*"],
    });
    const siblingToken = await issueToken(sibling.id, instance.id, user.id);

    expect(await deleteM2mClient({ userId: user.id, id: created.id })).toEqual({ revokedTokens: 1 });

    const db = getDb();
    expect(
      (await db.issuedAccessToken.findUniqueOrThrow({ where: { jti: token.jti } })).revokedAt,
    ).toBeInstanceOf(Date);
    expect(
      (await db.issuedAccessToken.findUniqueOrThrow({ where: { jti: siblingToken.jti } })).revokedAt,
    ).toBeNull();
    const row = await db.aiClient.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.disabledAt).toBeInstanceOf(Date);
    expect(row.clientSecretHash).toBeNull();
    expect(await resolveAiClient({ clientId: created.clientId })).toBeNull();
    expect((await listM2mClients({ userId: user.id })).map((client) => client.id)).toEqual([sibling.id]);

    await flushAuditEvents();
    expect(
      await db.auditLog.findFirst({ where: { clientId: created.id, eventType: "oauth.token_revoked" } }),
    ).not.toBeNull();
  });

  it("refuses to delete another user's client, or one already deleted, changing nothing", async () => {
    const { user, instance } = await setUp();
    const stranger = await createTestUser();
    const created = await createM2mClient({
      userId: user.id,
      instanceId: instance.id,
      name: "Job",
      scopes: ["mcp:access:*"],
    });
    const token = await issueToken(created.id, instance.id, user.id);

    expect((await appError(deleteM2mClient({ userId: stranger.id, id: created.id }))).code).toBe("NOT_FOUND");
    const db = getDb();
    expect((await db.aiClient.findUniqueOrThrow({ where: { id: created.id } })).disabledAt).toBeNull();
    expect(
      (await db.issuedAccessToken.findUniqueOrThrow({ where: { jti: token.jti } })).revokedAt,
    ).toBeNull();

    await deleteM2mClient({ userId: user.id, id: created.id });
    expect((await appError(deleteM2mClient({ userId: user.id, id: created.id }))).code).toBe("NOT_FOUND");
  });

  it("refuses to delete a client that is not an M2M client", async () => {
    const user = await createTestUser();
    const dynamic = await getDb().aiClient.create({
      data: { clientId: randomUUID(), kind: "DYNAMIC", ownerUserId: user.id, redirectUris: [] },
    });
    expect((await appError(deleteM2mClient({ userId: user.id, id: dynamic.id }))).code).toBe("NOT_FOUND");
  });
});
