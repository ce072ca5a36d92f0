import { decodeJwt } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import { createTestAiClient, createTestInstance, createTestUser } from "../../testing/tier1-fixtures";
import { InvalidScopeError, InvalidTargetError, UnauthorizedClientError } from "../oauth-errors";
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
});
