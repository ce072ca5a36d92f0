import { createRemoteJWKSet, errors, jwtVerify } from "jose";
import { getDb } from "../../db";
import { getEnv } from "../../env";
import { InvalidTokenError, TemporarilyUnavailableError } from "../oauth-errors";
import { isKnownScopeShape, parseScopeString } from "../scopes";
import { CLOCK_SKEW_SECONDS } from "../token-lifetimes";
import { assertInstanceOwner } from "./assert-instance-owner";
import { mapJoseError } from "./map-jose-error";
import type { TMcpAuthContext } from "./mcp-auth-context";

// Access tokens from an operator-configured external issuer (the plan's Auth0 mode). The issuer is the
// same IdP users sign in with, so its `sub` names an Account with provider "oidc". Its `scope` string
// or `permissions` array (Auth0 RBAC) maps onto Tumiki's scopes; entries of any other shape are dropped,
// never widened into access.
//
// Such a token is not bound to one instance: its audience is the one EXTERNAL_AUTH_AUDIENCE, so it opens
// every instance of its user (within its scopes), where a Tumiki token opens only the instance in its
// `aud`. The external issuer knows nothing of Tumiki's instances; the README states this trade-off.

const ALLOWED_ALGORITHMS = ["RS256", "ES256", "PS256"];
const OIDC_PROVIDER = "oidc";

// jose's remote JWKS caches keys and refetches on an unknown kid (rate-limited); one per process and URL.
const jwksByUrl = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

const getJwks = (url: string) => {
  let jwks = jwksByUrl.get(url);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(url));
    jwksByUrl.set(url, jwks);
  }
  return jwks;
};

const grantedScopes = (payload: Record<string, unknown>): string[] => {
  const fromScope = typeof payload.scope === "string" ? parseScopeString(payload.scope) : [];
  const fromPermissions = Array.isArray(payload.permissions)
    ? payload.permissions.filter((entry): entry is string => typeof entry === "string")
    : [];
  return [...new Set([...fromScope, ...fromPermissions])].filter(isKnownScopeShape);
};

export async function verifyExternalAccessToken(options: {
  token: string;
  instanceId: string;
}): Promise<Extract<TMcpAuthContext, { kind: "external" }>> {
  const { token, instanceId } = options;
  const env = getEnv();
  if (!env.EXTERNAL_AUTH_ISSUER || !env.EXTERNAL_AUTH_JWKS_URL || !env.EXTERNAL_AUTH_AUDIENCE) {
    throw new InvalidTokenError("The access token was issued by another issuer.", { reason: "wrong_issuer" });
  }

  let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
  try {
    ({ payload } = await jwtVerify(token, getJwks(env.EXTERNAL_AUTH_JWKS_URL), {
      algorithms: ALLOWED_ALGORITHMS,
      issuer: env.EXTERNAL_AUTH_ISSUER,
      audience: env.EXTERNAL_AUTH_AUDIENCE,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ["sub", "exp"],
    }));
  } catch (error) {
    if (!(error instanceof errors.JOSEError)) {
      // The JWKS could not be fetched (network error): the token may be fine, so no 401 that would
      // send the client back through authorization.
      throw new TemporarilyUnavailableError(
        "The issuer's signing keys cannot be fetched. Try again shortly.",
        {
          reason: "jwks_unavailable",
          cause: error,
        },
      );
    }
    throw mapJoseError(error);
  }
  if (typeof payload.sub !== "string" || payload.sub === "") {
    throw new InvalidTokenError("The access token is malformed.", { reason: "malformed_token" });
  }

  const account = await getDb().account.findUnique({
    where: { provider_providerAccountId: { provider: OIDC_PROVIDER, providerAccountId: payload.sub } },
    select: { userId: true },
  });
  if (!account) {
    throw new InvalidTokenError("The access token names an unknown user. Sign in to Tumiki once first.", {
      reason: "unknown_user",
    });
  }
  await assertInstanceOwner({ instanceId, userId: account.userId });

  const clientId = [payload.azp, payload.client_id].find((value) => typeof value === "string") as
    | string
    | undefined;
  return {
    kind: "external",
    userId: account.userId,
    instanceId,
    clientId: clientId ?? null,
    scopes: grantedScopes(payload),
    jti: typeof payload.jti === "string" ? payload.jti : null,
  };
}
