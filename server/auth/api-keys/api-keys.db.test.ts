import { beforeAll, describe, expect, it, vi } from "vitest";
import { flushAuditEvents } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { AppError } from "../../errors";
import { getRedis, type RedisStore } from "../../redis";
import { createTestInstance, createTestUser } from "../../testing/tier1-fixtures";
import { InvalidTokenError } from "../oauth-errors";
import { hashOpaqueSecret } from "../opaque-secrets";
import { ZCreateApiKeyInput } from "./api-key-schemas";
import { createApiKey } from "./create-api-key";
import { listApiKeys } from "./list-api-keys";
import { revokeApiKey } from "./revoke-api-key";
import { verifyApiKey } from "./verify-api-key";

// API keys on a real database and Redis: created for the user's own instance with scopes it offers,
// stored as a hash, listed without it, verified through a short cache that holds no secret, revoked
// with immediate effect, and still verifiable when Redis is down.

const redisState = vi.hoisted(() => ({ broken: false }));
vi.mock("../../redis", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../redis")>();
  const down = () => Promise.reject(new Error("redis down"));
  const broken = { kind: "redis", get: down, set: down, del: down } as unknown as RedisStore;
  return { ...actual, getRedis: () => (redisState.broken ? broken : actual.getRedis()) };
});

let user: { id: string };
let instance: { id: string };
let otherUser: { id: string };
let otherInstance: { id: string };

beforeAll(async () => {
  user = await createTestUser();
  instance = await createTestInstance({ userId: user.id, serverSlugs: ["notion", "linear"] });
  otherUser = await createTestUser();
  otherInstance = await createTestInstance({ userId: otherUser.id });
});

const reasonOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (error: unknown) => (error instanceof InvalidTokenError ? error.reason : String(error)),
  );

describe("createApiKey", () => {
  it("returns the key once, stores only its hash and prefix, defaults to mcp:access:*, audits", async () => {
    const created = await createApiKey({ userId: user.id, instanceId: instance.id, name: " laptop " });
    expect(created.key).toMatch(/^tumiki_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 12));
    const row = await getDb().mcpApiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({
      name: "laptop",
      scopes: ["mcp:access:*"],
      keyHash: hashOpaqueSecret(created.key),
    });
    expect(JSON.stringify(row)).not.toContain(created.key);
    await flushAuditEvents();
    const event = await getDb().auditLog.findFirst({ where: { eventType: "api_key.created" } });
    expect(event).toMatchObject({ outcome: "SUCCESS", actorUserId: user.id, instanceId: instance.id });
    expect(JSON.stringify(event)).not.toContain(created.key);
  });

  it("accepts scopes the instance offers and refuses others", async () => {
    const ok = await createApiKey({
      userId: user.id,
      instanceId: instance.id,
      name: "notion only",
      scopes: ["mcp:access:notion"],
    });
    expect((await verifyApiKey({ key: ok.key, instanceId: instance.id })).scopes).toEqual([
      "mcp:access:notion",
    ]);
    const error = await createApiKey({
      userId: user.id,
      instanceId: instance.id,
      name: "figma",
      scopes: ["mcp:access:figma"],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("BAD_REQUEST");
  });

  it("refuses another user's instance as not found", async () => {
    const error = await createApiKey({ userId: user.id, instanceId: otherInstance.id, name: "x" }).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).code).toBe("NOT_FOUND");
  });

  it("refuses malformed input through its schema", () => {
    const base = { instanceId: instance.id, name: "n" };
    expect(ZCreateApiKeyInput.safeParse({ ...base, name: "  " }).success).toBe(false);
    expect(ZCreateApiKeyInput.safeParse({ ...base, scopes: ["admin"] }).success).toBe(false);
    expect(ZCreateApiKeyInput.safeParse({ ...base, scopes: [] }).success).toBe(false);
    expect(ZCreateApiKeyInput.safeParse({ ...base, expiresAt: new Date(Date.now() - 1000) }).success).toBe(
      false,
    );
    expect(ZCreateApiKeyInput.safeParse({ ...base, instanceId: "not-a-uuid" }).success).toBe(false);
  });
});

describe("listApiKeys", () => {
  it("lists the user's keys with their instance, never the hash nor another user's keys", async () => {
    await createApiKey({ userId: otherUser.id, instanceId: otherInstance.id, name: "theirs" });
    const keys = await listApiKeys({ userId: user.id });
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(
        [
          "createdAt",
          "expiresAt",
          "id",
          "instance",
          "lastUsedAt",
          "name",
          "prefix",
          "revokedAt",
          "scopes",
        ].sort(),
      );
      expect(key.instance).toEqual({ id: instance.id, name: "Test instance" });
    }
    expect(keys.map((key) => key.name)).not.toContain("theirs");
  });
});

describe("verifyApiKey and revokeApiKey", () => {
  it("caches only non-secret fields for at most a minute", async () => {
    const { id, key } = await createApiKey({ userId: user.id, instanceId: instance.id, name: "cached" });
    await verifyApiKey({ key, instanceId: instance.id });
    const cacheKey = `api_key:${hashOpaqueSecret(key)}`;
    const raw = await getRedis().get(cacheKey);
    expect(raw).not.toBeNull();
    expect(Object.keys(JSON.parse(raw as string)).sort()).toEqual(
      ["expiresAt", "id", "instanceId", "scopes", "userId"].sort(),
    );
    expect(raw).not.toContain(key);
    const ttl = await getRedis().pttl(cacheKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(id).toBeTruthy();
  });

  it("revokes only the owner's key, at once despite the cache, and audits once", async () => {
    const { id, key } = await createApiKey({ userId: user.id, instanceId: instance.id, name: "to revoke" });
    await verifyApiKey({ key, instanceId: instance.id });
    const notOwner = await revokeApiKey({ userId: otherUser.id, id }).catch((e: unknown) => e);
    expect((notOwner as AppError).code).toBe("NOT_FOUND");
    expect(await reasonOf(verifyApiKey({ key, instanceId: instance.id }))).toBe("accepted");

    const { revokedAt } = await revokeApiKey({ userId: user.id, id });
    expect(revokedAt).toBeInstanceOf(Date);
    expect(await reasonOf(verifyApiKey({ key, instanceId: instance.id }))).toBe("api_key_revoked");
    expect((await revokeApiKey({ userId: user.id, id })).revokedAt).toEqual(revokedAt);

    await flushAuditEvents();
    const events = await getDb().auditLog.findMany({ where: { eventType: "api_key.revoked" } });
    expect(events.filter((event) => (event.detail as { keyId?: string }).keyId === id)).toHaveLength(1);
    // The cache cannot resurrect it: even after the tombstone is gone, the database says revoked.
    await getRedis().del(`api_key:${hashOpaqueSecret(key)}`);
    expect(await reasonOf(verifyApiKey({ key, instanceId: instance.id }))).toBe("api_key_revoked");
  });

  it("stops answering once the key's instance is deleted, although the key was cached", async () => {
    const spare = await createTestInstance({ userId: user.id });
    const { key } = await createApiKey({ userId: user.id, instanceId: spare.id, name: "spare" });
    await verifyApiKey({ key, instanceId: spare.id });
    await getDb().mcpInstance.delete({ where: { id: spare.id } });
    expect(await reasonOf(verifyApiKey({ key, instanceId: spare.id }))).toBe("instance_not_found");
  });

  it("falls back to the database when Redis is down", async () => {
    const { id, key } = await createApiKey({ userId: user.id, instanceId: instance.id, name: "no redis" });
    redisState.broken = true;
    try {
      expect(await reasonOf(verifyApiKey({ key, instanceId: instance.id }))).toBe("accepted");
      await getDb().mcpApiKey.update({ where: { id }, data: { revokedAt: new Date() } });
      expect(await reasonOf(verifyApiKey({ key, instanceId: instance.id }))).toBe("api_key_revoked");
    } finally {
      redisState.broken = false;
    }
  });

  it("records lastUsedAt, at most once a minute", async () => {
    const { id, key } = await createApiKey({ userId: user.id, instanceId: instance.id, name: "used" });
    await verifyApiKey({ key, instanceId: instance.id });
    const first = await vi.waitFor(async () => {
      const row = await getDb().mcpApiKey.findUniqueOrThrow({ where: { id } });
      if (!row.lastUsedAt) throw new Error("not yet recorded");
      return row.lastUsedAt;
    });
    await verifyApiKey({ key, instanceId: instance.id });
    // Let the second use's write (if any) settle before reading.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await getDb().mcpApiKey.findUniqueOrThrow({ where: { id } });
    expect(again.lastUsedAt).toEqual(first);
  });
});
