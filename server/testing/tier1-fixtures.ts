import { createHash, randomBytes, randomInt, randomUUID } from "node:crypto";
import { afterAll, beforeAll, vi } from "vitest";
import {
  generateOpaqueSecret,
  generateRandomId,
  hashOpaqueSecret,
  SECRET_PREFIX,
} from "../auth/opaque-secrets";
import { getInstanceResourceUrl } from "../auth/resource-urls";
import { ALL_SERVERS_SCOPE } from "../auth/scopes";
import { AUTHORIZATION_CODE_TTL_SECONDS } from "../auth/token-lifetimes";
import { getDb } from "../db";
import { resetEnvCache } from "../env";
import type { AiClientKind } from "../generated/prisma/client";

// Rows for tests of Tumiki's authorization server: users, instances bundling servers, AI clients and
// authorization codes with their consent, as /oauth/authorize would have left them.

/** A user; with `oidcSubject`, also the OIDC account an external IdP's `sub` claim maps to. */
export async function createTestUser({ email, oidcSubject }: { email?: string; oidcSubject?: string } = {}) {
  const db = getDb();
  const user = await db.user.create({ data: { email: email ?? `${randomUUID()}@example.test` } });
  if (oidcSubject) {
    await db.account.create({
      data: { userId: user.id, type: "oidc", provider: "oidc", providerAccountId: oidcSubject },
    });
  }
  return user;
}

/** An instance bundling one connected server per slug (servers are created, or reused by slug). */
export async function createTestInstance({
  userId,
  serverSlugs = [],
}: {
  userId: string;
  serverSlugs?: string[];
}) {
  const db = getDb();
  const instance = await db.mcpInstance.create({ data: { userId, name: "Test instance" } });
  for (const slug of serverSlugs) {
    const server = await db.mcpServer.upsert({
      where: { slug },
      create: { name: slug, slug, url: `https://${slug}.example.test/mcp` },
      update: {},
    });
    const connection = await db.userMcpConfig.upsert({
      where: { userId_mcpServerId: { userId, mcpServerId: server.id } },
      create: { userId, mcpServerId: server.id, status: "CONNECTED" },
      update: {},
    });
    await db.mcpInstanceConnection.create({
      data: { instanceId: instance.id, userMcpConfigId: connection.id },
    });
  }
  return instance;
}

export type TTestAiClientOptions = {
  kind?: AiClientKind;
  tokenEndpointAuthMethod?: "none" | "client_secret_basic" | "client_secret_post";
  redirectUris?: string[];
  grantTypes?: string[];
  scope?: string | null;
  ownerUserId?: string;
  instanceId?: string;
  clientSecretExpiresAt?: Date | null;
  /** A client_id with characters that need form-url-encoding in Basic credentials. */
  clientId?: string;
};

/** An AI client; `clientSecret` is set (and only its hash stored) unless the auth method is none. */
export async function createTestAiClient(options: TTestAiClientOptions = {}) {
  const method = options.tokenEndpointAuthMethod ?? "none";
  const clientSecret = method === "none" ? undefined : generateOpaqueSecret(SECRET_PREFIX.clientSecret);
  const client = await getDb().aiClient.create({
    data: {
      clientId: options.clientId ?? generateRandomId(),
      kind: options.kind ?? "DYNAMIC",
      name: "Test client",
      redirectUris: options.redirectUris ?? ["http://127.0.0.1:33418/callback"],
      grantTypes: options.grantTypes ?? ["authorization_code", "refresh_token"],
      responseTypes: ["code"],
      tokenEndpointAuthMethod: method,
      clientSecretHash: clientSecret ? hashOpaqueSecret(clientSecret) : null,
      clientSecretExpiresAt: options.clientSecretExpiresAt ?? null,
      scope: options.scope ?? null,
      ownerUserId: options.ownerUserId,
      instanceId: options.instanceId,
    },
  });
  return { client, clientSecret };
}

export type TTestAuthorizationCodeOptions = {
  /** AiClient.id */
  clientId: string;
  userId: string;
  instanceId: string;
  redirectUri?: string;
  scopes?: string[];
  createdAt?: Date;
  expiresAt?: Date;
  /** Records the user's consent for the client and instance, as approving the consent page does. */
  withConsent?: boolean;
};

/** A fresh S256 code as /oauth/authorize issues it: returns the plain code and its verifier. */
export async function createTestAuthorizationCode(options: TTestAuthorizationCodeOptions) {
  const db = getDb();
  const codeVerifier = randomBytes(32).toString("base64url");
  const codeChallenge = createHash("sha256").update(codeVerifier).digest("base64url");
  const code = generateOpaqueSecret(SECRET_PREFIX.authorizationCode);
  const scopes = options.scopes ?? [ALL_SERVERS_SCOPE];
  const createdAt = options.createdAt ?? new Date();
  const redirectUri = options.redirectUri ?? "http://127.0.0.1:33418/callback";
  const row = await db.authorizationCode.create({
    data: {
      codeHash: hashOpaqueSecret(code),
      clientId: options.clientId,
      userId: options.userId,
      instanceId: options.instanceId,
      redirectUri,
      codeChallenge,
      codeChallengeMethod: "S256",
      scopes,
      resource: getInstanceResourceUrl(options.instanceId),
      createdAt,
      expiresAt: options.expiresAt ?? new Date(createdAt.getTime() + AUTHORIZATION_CODE_TTL_SECONDS * 1000),
    },
  });
  if (options.withConsent ?? true) {
    await db.consent.upsert({
      where: {
        userId_clientId_instanceId: {
          userId: options.userId,
          clientId: options.clientId,
          instanceId: options.instanceId,
        },
      },
      create: { userId: options.userId, clientId: options.clientId, instanceId: options.instanceId, scopes },
      update: { scopes, revokedAt: null },
    });
  }
  return { code, codeVerifier, redirectUri, row };
}

/**
 * Trusts one proxy hop for the calling test file, so a request's X-Forwarded-For is its client address:
 * a test then gives each request its own address and per-address budgets never join two tests.
 * Call at the top of the file, before hooks that send requests.
 */
export function stubTrustedProxyHop() {
  beforeAll(() => {
    vi.stubEnv("TRUSTED_PROXY_HOPS", "1");
    resetEnvCache();
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    resetEnvCache();
  });
}

/** A random private IPv4 address, as a fresh client address for one request (with stubTrustedProxyHop). */
export function randomTestIp(): string {
  return `10.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(1, 255)}`;
}

/** An application/x-www-form-urlencoded POST, from a fresh address unless `headers` names one. */
export function formPostRequest(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Request {
  return new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-forwarded-for": randomTestIp(),
      ...headers,
    },
    body: new URLSearchParams(params).toString(),
  });
}
