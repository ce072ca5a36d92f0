import { createHash, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../db";
import { AppError } from "../errors";
import { createTestAiClient, createTestInstance, createTestUser } from "../testing/tier1-fixtures";
import { createApiKey } from "./api-keys/create-api-key";
import { getConsentDetails } from "./authorize/get-consent-details";
import { hasRememberedConsent } from "./authorize/has-remembered-consent";
import { validateAuthorizationRequest } from "./authorize/validate-authorization-request";
import { createM2mClient } from "./clients/create-m2m-client";
import { getProtectedResourceMetadata } from "./metadata/get-protected-resource-metadata";
import { InvalidScopeError } from "./oauth-errors";
import { getInstanceResourceUrl } from "./resource-urls";
import { narrowGrantedScopes } from "./tokens/narrow-granted-scopes";

// Tool scopes (`mcp:access:<slug>:<tool>`) wherever Tumiki's authorization server validates or offers
// scopes: API keys, machine-to-machine clients, authorization requests, the consent page, remembered
// consents, narrowing at the token endpoint, and the protected-resource metadata. A tool scope of a
// server the instance bundles is offered; one of any other server is refused like that server's scope.

const LOOPBACK = "http://127.0.0.1:33418/callback";
const challenge = createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");

let userId: string;
let instanceId: string;
let slug: string;
/** A server that exists, but not in this instance. */
let otherSlug: string;

beforeAll(async () => {
  userId = (await createTestUser()).id;
  const suffix = randomBytes(3).toString("hex");
  slug = `notes-${suffix}`;
  otherSlug = `figma-${suffix}`;
  instanceId = (await createTestInstance({ userId, serverSlugs: [slug] })).id;
  await createTestInstance({ userId, serverSlugs: [otherSlug] });
  await getDb().mcpServer.update({ where: { slug }, data: { name: "Team Notes" } });
});

const expectBadRequest = async (promise: Promise<unknown>, message: string) => {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("BAD_REQUEST");
  expect((error as AppError).userMessage).toContain(message);
};

describe("API keys with tool scopes", () => {
  it("are created with a tool scope of a bundled server, stored as given", async () => {
    const scopes = [`mcp:access:${slug}:search_notes`, `mcp:access:${slug}:list_notes`];
    const { id } = await createApiKey({ userId, instanceId, name: "tools only", scopes });
    const row = await getDb().mcpApiKey.findUniqueOrThrow({ where: { id } });
    expect(row.scopes).toEqual(scopes);
  });

  it("refuse a tool scope of a server the instance does not bundle, or a similar slug", async () => {
    for (const scope of [`mcp:access:${otherSlug}:search`, `mcp:access:${slug.slice(0, -1)}:search`]) {
      await expectBadRequest(
        createApiKey({ userId, instanceId, name: "x", scopes: [scope] }),
        `This instance does not offer ${scope}.`,
      );
    }
  });

  it("refuse a malformed tool name with the scope shapes in the message", async () => {
    for (const scope of [
      `mcp:access:${slug}:`,
      `mcp:access:${slug}:a b`,
      `mcp:access:${slug}:${"a".repeat(129)}`,
    ]) {
      const error = await createApiKey({ userId, instanceId, name: "x", scopes: [scope] }).catch(
        (caught: unknown) => caught as Error,
      );
      expect(error).toBeInstanceOf(Error);
      expect(String((error as Error).message)).toContain(
        "Scopes look like mcp:access:*, mcp:access:<server> or mcp:access:<server>:<tool>.",
      );
    }
  });
});

describe("machine-to-machine clients with tool scopes", () => {
  it("are created with a tool scope of a bundled server", async () => {
    const scope = `mcp:access:${slug}:${"t".repeat(128)}`;
    const { id } = await createM2mClient({ userId, instanceId, name: "tool client", scopes: [scope] });
    const row = await getDb().aiClient.findUniqueOrThrow({ where: { id } });
    expect(row.scope).toBe(scope);
  });

  it("refuse a tool scope of a server the instance does not bundle, and malformed ones", async () => {
    for (const scope of [`mcp:access:${otherSlug}:search`, `mcp:access:${slug}:a/b`]) {
      await expectBadRequest(
        createM2mClient({ userId, instanceId, name: "x", scopes: [scope] }),
        `This instance does not offer the scope ${scope}.`,
      );
    }
  });
});

describe("authorization requests for tool scopes", () => {
  const validate = async (scope: string) => {
    const { client } = await createTestAiClient({ redirectUris: [LOOPBACK] });
    const query = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: LOOPBACK,
      response_type: "code",
      code_challenge: challenge,
      code_challenge_method: "S256",
      state: "st",
      resource: getInstanceResourceUrl(instanceId),
      scope,
    });
    return validateAuthorizationRequest({
      query,
      userId,
      ip: `198.51.100.${randomBytes(2).toString("hex")}`,
    });
  };

  it("accept a tool scope of a bundled server, alone or beside a server scope", async () => {
    for (const scope of [
      `mcp:access:${slug}:search_notes`,
      `mcp:access:${slug}:a.b-c_d mcp:access:${slug}`,
    ]) {
      const result = await validate(scope);
      expect(result.outcome).toBe("valid");
      if (result.outcome === "valid") expect(result.request.scopes).toEqual(scope.split(" "));
    }
  });

  it("refuse, as invalid_scope, a tool scope of a server outside the instance or a malformed one", async () => {
    for (const scope of [
      `mcp:access:${otherSlug}:search`,
      `mcp:access:${slug.slice(0, -1)}:search`,
      `mcp:access:${slug}:bad/name`,
      `mcp:access:${slug}:search_notes mcp:access:${otherSlug}:search`,
    ]) {
      const result = await validate(scope);
      expect(result.outcome, scope).toBe("redirect_error");
      if (result.outcome === "redirect_error") expect(result.error.error).toBe("invalid_scope");
    }
  });
});

describe("the consent page's words for a tool scope", () => {
  it("name the tool and its server", async () => {
    const { client } = await createTestAiClient({ redirectUris: [LOOPBACK] });
    const details = await getConsentDetails({
      claims: {
        userId,
        clientId: client.id,
        redirectUri: LOOPBACK,
        codeChallenge: challenge,
        scopes: [`mcp:access:${slug}:search_notes`, `mcp:access:${slug}`],
        instanceId,
        resource: getInstanceResourceUrl(instanceId),
        csrf: "c",
        jti: "j",
      },
    });
    expect(details?.scopes).toEqual([
      {
        scope: `mcp:access:${slug}:search_notes`,
        label: `Only the tool search_notes of Team Notes (${slug})`,
        isAllServers: false,
      },
      { scope: `mcp:access:${slug}`, label: `Team Notes (${slug})`, isAllServers: false },
    ]);
  });
});

describe("remembered consents and tool scopes", () => {
  const consentWith = async (scopes: string[]) => {
    const { client } = await createTestAiClient({ redirectUris: [LOOPBACK] });
    await getDb().consent.create({ data: { userId, clientId: client.id, instanceId, scopes } });
    return (asked: string[]) =>
      hasRememberedConsent({ userId, clientId: client.id, instanceId, scopes: asked });
  };

  it("cover a tool with the server's consent or mcp:access:*, and a tool consent covers only that tool", async () => {
    const server = await consentWith([`mcp:access:${slug}`]);
    expect(await server([`mcp:access:${slug}:search_notes`])).toBe(true);
    const all = await consentWith(["mcp:access:*"]);
    expect(await all([`mcp:access:${slug}:search_notes`])).toBe(true);
    const tool = await consentWith([`mcp:access:${slug}:search_notes`]);
    expect(await tool([`mcp:access:${slug}:search_notes`])).toBe(true);
    expect(await tool([`mcp:access:${slug}:search_notes_all`])).toBe(false);
    expect(await tool([`mcp:access:${slug}`])).toBe(false);
    expect(await tool(["mcp:access:*"])).toBe(false);
  });
});

describe("narrowing a grant to tool scopes (refresh, client_credentials)", () => {
  const narrow = (granted: string[], requested: string) =>
    narrowGrantedScopes({ granted, requested, instanceId });

  it("narrows a server scope or mcp:access:* to tools of a bundled server", async () => {
    const tool = `mcp:access:${slug}:search_notes`;
    expect(await narrow([`mcp:access:${slug}`], tool)).toEqual([tool]);
    expect(await narrow(["mcp:access:*"], tool)).toEqual([tool]);
    expect(await narrow([tool], tool)).toEqual([tool]);
  });

  it("never widens: a tool grant asks in vain for its server, another tool, or a tool elsewhere", async () => {
    const tool = `mcp:access:${slug}:search_notes`;
    for (const [granted, requested] of [
      [[tool], `mcp:access:${slug}`],
      [[tool], `mcp:access:${slug}:search_notes_all`],
      [[tool], "mcp:access:*"],
      [["mcp:access:*"], `mcp:access:${otherSlug}:search`],
      [[`mcp:access:${otherSlug}`], `mcp:access:${slug}:search_notes`],
    ] as const) {
      await expect(narrow([...granted], requested), requested).rejects.toBeInstanceOf(InvalidScopeError);
    }
  });
});

describe("protected-resource metadata", () => {
  it("lists server-level scopes only, never tool scopes", async () => {
    const metadata = await getProtectedResourceMetadata({ instanceId });
    expect(metadata?.scopes_supported).toEqual(["mcp:access:*", `mcp:access:${slug}`]);
  });
});
