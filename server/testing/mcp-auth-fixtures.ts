import { type JWTPayload, SignJWT } from "jose";
import { generateRandomId } from "../auth/opaque-secrets";
import { getInstanceResourceUrl, getIssuer } from "../auth/resource-urls";
import { getActiveSigningKey } from "../auth/signing-keys/get-active-signing-key";
import { ACCESS_TOKEN_TTL_SECONDS } from "../auth/token-lifetimes";
import { getDb } from "../db";

// Tokens for tests of the /mcp auth check: access tokens signed with Tumiki's active key whose header
// and claims a test can bend one at a time. The users, instances and clients they are issued for come
// from tier1-fixtures.ts.

export type TTestTokenOptions = {
  userId: string;
  instanceId: string;
  client: { id: string; clientId: string };
  scope?: string;
  /** Replaces or removes (undefined) claims after the defaults are set. */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Write the IssuedAccessToken row (default true). */
  withRecord?: boolean;
  revoked?: boolean;
};

/** An access token as Tumiki issues it, with the given deviations, and its jti. */
export async function signTestAccessToken(
  options: TTestTokenOptions,
): Promise<{ token: string; jti: string }> {
  const { kid, privateKey } = await getActiveSigningKey();
  const now = Math.floor(Date.now() / 1000);
  const jti = generateRandomId();
  const payload: JWTPayload = {
    iss: getIssuer(),
    aud: getInstanceResourceUrl(options.instanceId),
    sub: options.userId,
    client_id: options.client.clientId,
    scope: options.scope ?? "mcp:access:*",
    jti,
    iat: now,
    exp: now + ACCESS_TOKEN_TTL_SECONDS,
  };
  for (const [name, value] of Object.entries(options.claims ?? {})) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid, ...options.header } as { alg: string })
    .sign(privateKey);
  if (options.withRecord ?? true) {
    await getDb().issuedAccessToken.create({
      data: {
        jti,
        clientId: options.client.id,
        userId: options.userId,
        instanceId: options.instanceId,
        scopes: (options.scope ?? "mcp:access:*").split(" "),
        expiresAt: new Date((now + ACCESS_TOKEN_TTL_SECONDS) * 1000),
        revokedAt: options.revoked ? new Date() : null,
      },
    });
  }
  return { token, jti };
}

/** The public JWK of the active signing key, as the JWKS publishes it. */
export async function getActivePublicJwk(): Promise<Record<string, unknown>> {
  const { kid } = await getActiveSigningKey();
  const row = await getDb().signingKey.findUniqueOrThrow({ where: { id: kid } });
  return row.publicJwk as Record<string, unknown>;
}
