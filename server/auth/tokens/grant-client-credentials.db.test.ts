import { decodeJwt } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db";
import { createTestAiClient, createTestInstance, createTestUser } from "../../testing/tier1-fixtures";
import { deleteM2mClient } from "../clients/delete-m2m-client";
import {
  InvalidClientError,
  InvalidScopeError,
  InvalidTargetError,
  UnauthorizedClientError,
} from "../oauth-errors";
import { getInstanceResourceUrl } from "../resource-urls";
import { grantClientCredentials } from "./grant-client-credentials";

const origin = { ip: "198.51.100.3", userAgent: "vitest" };

let userId: string;
let instanceId: string;

beforeEach(async () => {
  userId = (await createTestUser()).id;
  instanceId = (await createTestInstance({ userId, serverSlugs: ["notion", "linear"] })).id;
});

const m2mClient = (scope: string | null = "mcp:access:notion") =>
  createTestAiClient({
    kind: "M2M",
    tokenEndpointAuthMethod: "client_secret_basic",
    grantTypes: ["client_credentials"],
    ownerUserId: userId,
    instanceId,
    scope,
  }).then((created) => created.client);

describe("grantClientCredentials", () => {
  it("issues a token for the owner's instance with the registered scope, no refresh", async () => {
    const client = await m2mClient();
    const response = await grantClientCredentials({ client, origin });
    expect(response.refresh_token).toBeUndefined();
    expect(decodeJwt(response.access_token)).toMatchObject({
      sub: userId,
      aud: getInstanceResourceUrl(instanceId),
      client_id: client.clientId,
      scope: "mcp:access:notion",
    });
  });

  it("narrows within the registered scope and refuses beyond it", async () => {
    const client = await m2mClient("mcp:access:*");
    await expect(
      grantClientCredentials({ client, scope: "mcp:access:linear", origin }),
    ).resolves.toMatchObject({
      scope: "mcp:access:linear",
    });
    const narrow = await m2mClient("mcp:access:notion");
    await expect(
      grantClientCredentials({ client: narrow, scope: "mcp:access:linear", origin }),
    ).rejects.toBeInstanceOf(InvalidScopeError);
  });

  it("refuses a public client and a dynamically registered one", async () => {
    const publicClient = (await createTestAiClient({ grantTypes: ["client_credentials"] })).client;
    await expect(grantClientCredentials({ client: publicClient, origin })).rejects.toBeInstanceOf(
      UnauthorizedClientError,
    );
    const dynamic = (
      await createTestAiClient({
        tokenEndpointAuthMethod: "client_secret_post",
        grantTypes: ["client_credentials"],
      })
    ).client;
    await expect(grantClientCredentials({ client: dynamic, origin })).rejects.toBeInstanceOf(
      UnauthorizedClientError,
    );
  });

  it("refuses another resource", async () => {
    const client = await m2mClient();
    const other = await createTestInstance({ userId });
    await expect(
      grantClientCredentials({ client, resource: getInstanceResourceUrl(other.id), origin }),
    ).rejects.toBeInstanceOf(InvalidTargetError);
  });

  it("refuses a client deleted after it authenticated", async () => {
    const client = await m2mClient();
    await deleteM2mClient({ userId, id: client.id });
    await expect(grantClientCredentials({ client, origin })).rejects.toBeInstanceOf(InvalidClientError);
    expect(await getDb().issuedAccessToken.count({ where: { clientId: client.id } })).toBe(0);
  });

  it("waits for a deletion in progress and then refuses, so no token escapes its revocation", async () => {
    const client = await m2mClient();
    const db = getDb();
    let grant: Promise<unknown> | undefined;
    await db.$transaction(async (tx) => {
      // deleteM2mClient's statements, held open: disable the row, revoke the tokens it has so far.
      await tx.aiClient.updateMany({ where: { id: client.id }, data: { disabledAt: new Date() } });
      await tx.issuedAccessToken.updateMany({
        where: { clientId: client.id, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      grant = grantClientCredentials({ client, origin }).catch((error: unknown) => error);
      // Without the lock the grant commits a token now, after the revocation above ran.
      await Promise.race([grant, new Promise((resolve) => setTimeout(resolve, 500))]);
    });
    expect(await grant).toBeInstanceOf(InvalidClientError);
    expect(await db.issuedAccessToken.count({ where: { clientId: client.id, revokedAt: null } })).toBe(0);
  });

  it("records the client's last use after issuing, at most once a minute", async () => {
    const client = await m2mClient();
    const first = new Date();
    await grantClientCredentials({ client, origin, now: first });
    const lastUsed = async () =>
      (await getDb().aiClient.findUniqueOrThrow({ where: { id: client.id } })).lastUsedAt?.getTime();
    expect(await lastUsed()).toBe(first.getTime());
    await grantClientCredentials({ client, origin, now: new Date(first.getTime() + 30_000) });
    expect(await lastUsed()).toBe(first.getTime());
    const later = new Date(first.getTime() + 61_000);
    await grantClientCredentials({ client, origin, now: later });
    expect(await lastUsed()).toBe(later.getTime());
  });
});
