import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../db";
import { resetEnvCache } from "../env";
import { schemaMetadata } from "../generated/schema-metadata";
import { reencryptAllFields } from "./reencrypt-all-fields";

// The extension on the real database: what the app reads is plaintext, what PostgreSQL holds is not,
// and every way around the extension is refused rather than silently storing plaintext.

const db = getDb();
let serverId: string;

const unique = () => randomBytes(4).toString("hex");
const keyIdOf = (ciphertext: string | null | undefined) => ciphertext?.split(":")[2];

async function rawToken(id: string) {
  const [row] = await db.$queryRawUnsafe<{ accessToken: string; refreshToken: string | null }[]>(
    `SELECT "accessToken", "refreshToken" FROM "OAuthToken" WHERE id = $1`,
    id,
  );
  return row;
}

async function createToken(accessToken: string, refreshToken: string | null) {
  const client = await db.oAuthClient.create({
    data: {
      mcpServerId: serverId,
      issuer: `https://as-${unique()}.example.com`,
      registrationType: "DCR",
      clientId: "client-id-plain",
      clientSecret: "client-secret-plain",
      authorizationServerUrl: "https://as.example.com",
      tokenEndpoint: "https://as.example.com/token",
      authorizationEndpoint: "https://as.example.com/authorize",
    },
  });
  const user = await db.user.create({ data: { email: `${unique()}@example.com` } });
  const connection = await db.userMcpConfig.create({ data: { userId: user.id, mcpServerId: serverId } });
  const token = await db.oAuthToken.create({
    data: { userMcpConfigId: connection.id, oauthClientId: client.id, accessToken, refreshToken },
  });
  return { client, connection, token, user };
}

beforeAll(async () => {
  const server = await db.mcpServer.create({
    data: { name: "Notes", slug: `notes-${unique()}`, url: "https://notes.example.com/mcp" },
  });
  serverId = server.id;
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

    const tokens = await db.$queryRawUnsafe<unknown[]>(`SELECT * FROM "OAuthToken" WHERE id = $1`, token.id);
    const clients = await db.$queryRawUnsafe<unknown[]>(
      `SELECT * FROM "OAuthClient" WHERE id = $1`,
      client.id,
    );
    const raw = JSON.stringify([tokens, clients]);
    expect(raw).not.toContain("CANARY");
    expect(raw).not.toContain("client-secret-plain");
    expect(raw).not.toContain("client-id-plain");
    expect((await rawToken(token.id))?.accessToken).toMatch(/^enc:v1:/);
  });

  it("decrypts relations included at any depth, and selects id when only the secret is asked for", async () => {
    const { client, connection, user } = await createToken("access-nested", null);
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

    // User → connections → tokens: two relations away from the model queried.
    const deep = await db.user.findUniqueOrThrow({
      where: { id: user.id },
      include: { connections: { include: { tokens: true } } },
    });
    expect(deep.connections[0]?.tokens[0]?.accessToken).toBe("access-nested");
    const instance = await db.mcpInstance.create({
      data: { userId: user.id, name: "Work", connections: { create: { userMcpConfigId: connection.id } } },
      include: { connections: { include: { connection: { include: { tokens: true } } } } },
    });
    expect(instance.connections[0]?.connection.tokens[0]?.accessToken).toBe("access-nested");
  });

  it("encrypts updates and upserts addressed by id, also inside a transaction", async () => {
    const { token, connection } = await createToken("v1", "r1");
    await db.oAuthToken.update({
      where: { id: token.id },
      data: { accessToken: "v2-CANARY", refreshToken: { set: "r2-CANARY" } },
    });
    expect(await db.oAuthToken.findUniqueOrThrow({ where: { id: token.id } })).toMatchObject({
      accessToken: "v2-CANARY",
      refreshToken: "r2-CANARY",
    });

    const upserted = await db.oAuthToken.upsert({
      where: { id: token.id },
      create: { userMcpConfigId: connection.id, oauthClientId: token.oauthClientId, accessToken: "unused" },
      update: { accessToken: "v3-CANARY" },
    });
    expect(upserted.accessToken).toBe("v3-CANARY");

    await db.$transaction(async (tx) => {
      await tx.oAuthToken.update({ where: { id: token.id }, data: { accessToken: "v4-CANARY" } });
      await tx.oAuthToken.update({ where: { id: token.id }, data: { refreshToken: "r4-CANARY" } });
    });
    const raw = await rawToken(token.id);
    expect(JSON.stringify(raw)).not.toContain("CANARY");
    expect(await db.oAuthToken.findUniqueOrThrow({ where: { id: token.id } })).toMatchObject({
      accessToken: "v4-CANARY",
      refreshToken: "r4-CANARY",
    });
  });

  it("creates through upsert with the id it was addressed by, so the value stays readable", async () => {
    const { token, connection } = await createToken("first", null);
    await db.oAuthToken.delete({ where: { id: token.id } });
    const id = `c${unique()}${unique()}`;
    const created = await db.oAuthToken.upsert({
      where: { id },
      create: {
        userMcpConfigId: connection.id,
        oauthClientId: token.oauthClientId,
        accessToken: "made-CANARY",
      },
      update: {},
    });
    expect(created.id).toBe(id);
    expect((await db.oAuthToken.findUniqueOrThrow({ where: { id } })).accessToken).toBe("made-CANARY");
    expect((await rawToken(id))?.accessToken).not.toContain("CANARY");
  });

  it("refuses writes it cannot encrypt instead of storing plaintext", async () => {
    const { token, connection, user } = await createToken("v1", null);
    const byCompoundKey = {
      userMcpConfigId_tokenPurpose: { userMcpConfigId: connection.id, tokenPurpose: "backend_mcp" },
    };
    await expect(db.oAuthToken.update({ where: byCompoundKey, data: { accessToken: "x" } })).rejects.toThrow(
      /by id/,
    );
    await expect(
      db.oAuthToken.upsert({
        where: byCompoundKey,
        create: { userMcpConfigId: connection.id, oauthClientId: token.oauthClientId, accessToken: "x" },
        update: { accessToken: "x" },
      }),
    ).rejects.toThrow(/by id/);
    await expect(db.oAuthToken.updateMany({ where: {}, data: { accessToken: "x" } })).rejects.toThrow(
      /update rows one by one/,
    );
    // Nested one, two and three relations deep.
    await expect(
      db.userMcpConfig.update({
        where: { id: connection.id },
        data: { tokens: { create: { oauthClientId: token.oauthClientId, accessToken: "nested-PLAIN" } } },
      }),
    ).rejects.toThrow(/not nested/);
    await expect(
      db.mcpInstance.create({
        data: {
          userId: user.id,
          name: "i",
          connections: {
            create: { connection: { create: { userId: user.id, mcpServerId: serverId, apiKey: "PLAIN" } } },
          },
        },
      }),
    ).rejects.toThrow(/not nested/);
    await expect(
      db.user.update({
        where: { id: user.id },
        data: {
          ownedServers: {
            create: {
              name: "n",
              slug: `s-${unique()}`,
              url: "https://s.example",
              connections: { createMany: { data: [{ userId: user.id, apiKey: "PLAIN" }] } },
            },
          },
        },
      }),
    ).rejects.toThrow(/not nested/);
    const leaked = await db.$queryRawUnsafe<unknown[]>(
      `SELECT id FROM "UserMcpConfig" WHERE "apiKey" = 'PLAIN' UNION SELECT id FROM "OAuthToken" WHERE "accessToken" = 'nested-PLAIN'`,
    );
    expect(leaked).toEqual([]);
  });

  it("refuses filters on encrypted fields at any depth instead of silently matching nothing", async () => {
    await expect(db.oAuthToken.findFirst({ where: { accessToken: "x" } })).rejects.toThrow(
      /cannot be filtered/,
    );
    await expect(
      db.oAuthToken.findFirst({ where: { OR: [{ scope: "a" }, { accessToken: "x" }] } }),
    ).rejects.toThrow(/cannot be filtered/);
    await expect(db.oAuthToken.findFirst({ where: { NOT: { refreshToken: "x" } } })).rejects.toThrow(
      /cannot be filtered/,
    );
    await expect(
      db.userMcpConfig.findFirst({ where: { tokens: { some: { accessToken: "x" } } } }),
    ).rejects.toThrow(/cannot be filtered/);
    await expect(db.user.findFirst({ where: { connections: { some: { apiKey: "x" } } } })).rejects.toThrow(
      /cannot be filtered/,
    );
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
      /authentication failed/,
    );
  });

  it("refuses a ciphertext whose body was tampered with", async () => {
    const { token } = await createToken("token-to-tamper", null);
    const stored = (await rawToken(token.id))?.accessToken ?? "";
    const parts = stored.split(":");
    const body = Buffer.from(parts[4] ?? "", "base64url");
    body[0] = (body[0] ?? 0) ^ 0xff;
    parts[4] = body.toString("base64url");
    await db.$executeRawUnsafe(
      `UPDATE "OAuthToken" SET "accessToken" = $1 WHERE id = $2`,
      parts.join(":"),
      token.id,
    );
    await expect(db.oAuthToken.findUniqueOrThrow({ where: { id: token.id } })).rejects.toThrow(
      /authentication failed/,
    );
  });

  it("refuses a value that is not a ciphertext, so a database writer cannot plant a secret", async () => {
    const { client } = await createToken("t", null);
    await db.$executeRawUnsafe(
      `UPDATE "OAuthClient" SET "clientSecret" = 'ATTACKER-VALUE' WHERE id = $1`,
      client.id,
    );
    await expect(db.oAuthClient.findUniqueOrThrow({ where: { id: client.id } })).rejects.toThrow(
      /not a ciphertext/,
    );
  });

  it("re-encrypts every field under a new key, reports rows it cannot read, then works without the old key", async () => {
    const { token } = await createToken("rotate-me", "rotate-me-too");
    const broken = await createToken("will-be-planted", null);
    await db.$executeRawUnsafe(
      `UPDATE "OAuthToken" SET "accessToken" = 'planted' WHERE id = $1`,
      broken.token.id,
    );

    const oldKey = process.env.ENCRYPTION_KEY as string;
    const rotateTo = (current: string, previous: string) => {
      process.env.ENCRYPTION_KEY = current;
      process.env.ENCRYPTION_PREVIOUS_KEYS = previous;
      resetEnvCache();
    };
    const suffix = randomBytes(2).toString("hex");
    const keyA = `rotX${suffix}:${randomBytes(32).toString("base64")}`;
    // "_" would be a LIKE wildcard matching keyA's id: the stale check must not take B's rows for A's.
    const newKey = `rot_${suffix}:${randomBytes(32).toString("base64")}`;
    const newKeyId = newKey.split(":")[0];
    try {
      rotateTo(keyA, oldKey);
      const first = await reencryptAllFields({ db, metadata: schemaMetadata });
      expect(first.reencrypted.OAuthToken).toBeGreaterThan(0);
      expect(first.failed).toContainEqual({ model: "OAuthToken", id: broken.token.id });

      rotateTo(newKey, keyA);
      const second = await reencryptAllFields({ db, metadata: schemaMetadata });
      expect(second.reencrypted.OAuthToken).toBeGreaterThan(0);
      const raw = await rawToken(token.id);
      expect(keyIdOf(raw?.accessToken)).toBe(newKeyId);
      expect(keyIdOf(raw?.refreshToken)).toBe(newKeyId);

      rotateTo(newKey, "");
      expect(await db.oAuthToken.findUniqueOrThrow({ where: { id: token.id } })).toMatchObject({
        accessToken: "rotate-me",
        refreshToken: "rotate-me-too",
      });
      const again = await reencryptAllFields({ db, metadata: schemaMetadata });
      expect(Object.values(again.reencrypted).every((n) => n === 0)).toBe(true);
    } finally {
      rotateTo(oldKey, "");
    }
  });
});
