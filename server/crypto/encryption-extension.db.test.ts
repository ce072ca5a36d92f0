import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../db";
import { resetEnvCache } from "../env";
import { schemaMetadata } from "../generated/schema-metadata";
import { getCiphertextKeyId } from "./field-encryption";
import { reencryptAllFields } from "./reencrypt-all-fields";

// The extension on the real database: what the app reads is plaintext, what PostgreSQL holds is not.

const db = getDb();
let connectionId: string;
let serverId: string;
let userId: string;

async function createToken(accessToken: string, refreshToken: string | null) {
  const client = await db.oAuthClient.create({
    data: {
      mcpServerId: serverId,
      issuer: `https://as-${randomBytes(4).toString("hex")}.example.com`,
      registrationType: "DCR",
      clientId: "client-id-plain",
      clientSecret: "client-secret-plain",
      authorizationServerUrl: "https://as.example.com",
      tokenEndpoint: "https://as.example.com/token",
      authorizationEndpoint: "https://as.example.com/authorize",
    },
  });
  const user = await db.user.create({ data: { email: `${randomBytes(6).toString("hex")}@example.com` } });
  const connection = await db.userMcpConfig.create({ data: { userId: user.id, mcpServerId: serverId } });
  const token = await db.oAuthToken.create({
    data: { userMcpConfigId: connection.id, oauthClientId: client.id, accessToken, refreshToken },
  });
  return { client, connection, token };
}

beforeAll(async () => {
  const user = await db.user.create({ data: { email: "owner@example.com" } });
  userId = user.id;
  const server = await db.mcpServer.create({
    data: {
      name: "Notes",
      slug: `notes-${randomBytes(3).toString("hex")}`,
      url: "https://notes.example.com/mcp",
    },
  });
  serverId = server.id;
  const connection = await db.userMcpConfig.create({ data: { userId, mcpServerId: serverId } });
  connectionId = connection.id;
});

afterAll(async () => {
  await db.$disconnect();
});

describe("field encryption in the database", () => {
  it("stores every @encrypted field as ciphertext and reads it back as plaintext", async () => {
    const { token, client } = await createToken("access-CANARY-1", "refresh-CANARY-1");
    expect(token.accessToken).toBe("access-CANARY-1");
    const read = await db.oAuthToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(read.accessToken).toBe("access-CANARY-1");
    expect(read.refreshToken).toBe("refresh-CANARY-1");

    const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT * FROM "OAuthToken" WHERE id = $1`,
      token.id,
    );
    const clients = await db.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT * FROM "OAuthClient" WHERE id = $1`,
      client.id,
    );
    const raw = JSON.stringify([rows, clients]);
    expect(raw).not.toContain("CANARY");
    expect(raw).not.toContain("client-secret-plain");
    expect(raw).not.toContain("client-id-plain");
    expect(String(rows[0]?.accessToken)).toMatch(/^enc:v1:/);
  });

  it("decrypts relations included in results, and selects id when only the secret is asked for", async () => {
    const { client } = await createToken("access-nested", null);
    const withTokens = await db.oAuthClient.findUniqueOrThrow({
      where: { id: client.id },
      include: { oauthTokens: true },
    });
    expect(withTokens.clientSecret).toBe("client-secret-plain");
    expect(withTokens.oauthTokens[0]?.accessToken).toBe("access-nested");

    const selected = await db.oAuthClient.findUniqueOrThrow({
      where: { id: client.id },
      select: { clientId: true, oauthTokens: { select: { accessToken: true } } },
    });
    expect(selected.clientId).toBe("client-id-plain");
    expect(selected.oauthTokens[0]?.accessToken).toBe("access-nested");
  });

  it("encrypts updates and upserts addressed by another unique key", async () => {
    const { token, connection } = await createToken("v1", "r1");
    await db.oAuthToken.update({
      where: {
        userMcpConfigId_tokenPurpose: { userMcpConfigId: connection.id, tokenPurpose: "backend_mcp" },
      },
      data: { accessToken: "v2-CANARY", refreshToken: { set: "r2-CANARY" } },
    });
    const after = await db.oAuthToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(after.accessToken).toBe("v2-CANARY");
    expect(after.refreshToken).toBe("r2-CANARY");

    const upserted = await db.oAuthToken.upsert({
      where: {
        userMcpConfigId_tokenPurpose: { userMcpConfigId: connection.id, tokenPurpose: "backend_mcp" },
      },
      create: { userMcpConfigId: connection.id, oauthClientId: token.oauthClientId, accessToken: "unused" },
      update: { accessToken: "v3-CANARY" },
    });
    expect(upserted.accessToken).toBe("v3-CANARY");
    const raw = await db.$queryRawUnsafe<{ accessToken: string }[]>(
      `SELECT "accessToken" FROM "OAuthToken" WHERE id = $1`,
      token.id,
    );
    expect(raw[0]?.accessToken).not.toContain("CANARY");
  });

  it("refuses a ciphertext copied to another row", async () => {
    const a = await createToken("token-of-a", null);
    const b = await createToken("token-of-b", null);
    await db.$executeRawUnsafe(
      `UPDATE "OAuthToken" SET "accessToken" = (SELECT "accessToken" FROM "OAuthToken" WHERE id = $1) WHERE id = $2`,
      a.token.id,
      b.token.id,
    );
    await expect(db.oAuthToken.findUniqueOrThrow({ where: { id: b.token.id } })).rejects.toThrow(
      /decryption failed/,
    );
  });

  it("refuses a tampered ciphertext", async () => {
    const { token } = await createToken("token-to-tamper", null);
    await db.$executeRawUnsafe(
      `UPDATE "OAuthToken" SET "accessToken" = regexp_replace("accessToken", ':[A-Za-z0-9_-]{4}', ':AAAA') WHERE id = $1`,
      token.id,
    );
    await expect(db.oAuthToken.findUniqueOrThrow({ where: { id: token.id } })).rejects.toThrow(
      /decryption failed/,
    );
  });

  it("refuses filters and bulk updates on encrypted fields instead of silently matching nothing", async () => {
    await expect(db.oAuthToken.findFirst({ where: { accessToken: "x" } })).rejects.toThrow(
      /cannot be filtered/,
    );
    await expect(db.oAuthToken.updateMany({ where: {}, data: { accessToken: "x" } })).rejects.toThrow(
      /update rows one by one/,
    );
    await expect(
      db.userMcpConfig.update({
        where: { id: connectionId },
        data: {
          tokens: { create: { oauthClientId: "x", accessToken: "nested-secret" } },
        },
      }),
    ).rejects.toThrow(/not nested/);
  });

  it("re-encrypts every field under a new key, after which the old key can be dropped", async () => {
    const { token } = await createToken("rotate-me", "rotate-me-too");
    const oldKey = process.env.ENCRYPTION_KEY as string;
    const rotateTo = (current: string, previous: string) => {
      process.env.ENCRYPTION_KEY = current;
      process.env.ENCRYPTION_PREVIOUS_KEYS = previous;
      resetEnvCache();
    };
    const newKey = `rotated:${randomBytes(32).toString("base64")}`;
    try {
      rotateTo(newKey, oldKey);
      const first = await reencryptAllFields({ db, metadata: schemaMetadata });
      expect(first.reencrypted.OAuthToken).toBeGreaterThan(0);
      // The rows tampered with above cannot be rotated; they are reported, not fatal.
      expect(first.failed.length).toBeGreaterThan(0);
      expect(first.failed.every((f) => f.model === "OAuthToken")).toBe(true);
      const raw = await db.$queryRawUnsafe<{ accessToken: string; refreshToken: string }[]>(
        `SELECT "accessToken", "refreshToken" FROM "OAuthToken" WHERE id = $1`,
        token.id,
      );
      expect(getCiphertextKeyId(raw[0]?.accessToken ?? "")).toBe("rotated");
      expect(getCiphertextKeyId(raw[0]?.refreshToken ?? "")).toBe("rotated");

      rotateTo(newKey, "");
      const read = await db.oAuthToken.findUniqueOrThrow({ where: { id: token.id } });
      expect(read.accessToken).toBe("rotate-me");
      expect(read.refreshToken).toBe("rotate-me-too");
      const again = await reencryptAllFields({ db, metadata: schemaMetadata });
      expect(Object.values(again.reencrypted).every((n) => n === 0)).toBe(true);
    } finally {
      rotateTo(oldKey, "");
    }
  });
});
