import { generateKeyPairSync, randomBytes } from "node:crypto";
import Provider, { type ClientLike, errors, type ResourceServerInfo } from "oidc-provider";
import type { TDemoOidcStore } from "./create-demo-oidc-store";
import type { TDemoStats } from "./demo-stats";

// The demo backend's authorization server: oidc-provider (OpenID-certified), configured like a remote
// MCP server's AS that follows the MCP authorization spec: open dynamic client registration, PKCE S256
// only, RFC 8707 resource indicators with the MCP endpoint as the only resource, refresh tokens rotated
// on every use, RFC 7009 revocation, `iss` in authorization responses (RFC 9207, on by default).

export const DEMO_SCOPES = ["notes:read", "notes:write"] as const;

export function createDemoProvider(options: {
  issuer: string;
  mcpUrl: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  store: TDemoOidcStore;
  stats: TDemoStats;
}): Provider {
  const { mcpUrl, accessTokenTtlSeconds, refreshTokenTtlSeconds } = options;
  // A fresh signing key per start: only ID tokens (when a client asks for `openid`) are signed; the
  // access tokens are opaque and looked up in the store.
  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });

  const resourceServer: ResourceServerInfo = {
    scope: DEMO_SCOPES.join(" "),
    audience: mcpUrl,
    accessTokenTTL: accessTokenTtlSeconds,
    accessTokenFormat: "opaque",
  };

  const provider = new Provider(options.issuer, {
    adapter: options.store.adapterFor,
    jwks: { keys: [{ ...signingKey, kid: "demo-signing-key", alg: "RS256", use: "sig" }] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    // The notes scopes are listed here too so that a client may name them in its registration
    // metadata (`scope`): oidc-provider refuses registered scopes it does not know.
    scopes: ["openid", "offline_access", ...DEMO_SCOPES],
    claims: { openid: ["sub"] },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    // Every client allowed the refresh_token grant gets one, as MCP servers do (oidc-provider's
    // default issues one only for the OpenID `offline_access` scope).
    issueRefreshToken: async (_ctx: unknown, client: ClientLike) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: accessTokenTtlSeconds,
      AuthorizationCode: 60,
      // A fixed lifetime per refresh token, renewed by each rotation (a sliding window), instead of
      // oidc-provider's default of keeping the first token's expiry for public web clients.
      RefreshToken: refreshTokenTtlSeconds,
      Grant: refreshTokenTtlSeconds,
      IdToken: 3600,
      Interaction: 600,
      Session: 600,
    },
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      revocation: {
        enabled: true,
        // A client revokes only its own tokens; anything else is ignored (RFC 7009 still answers 200).
        allowedPolicy: (_ctx: unknown, client: ClientLike, token: { clientId: string }) =>
          token.clientId === client.clientId,
      },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => mcpUrl,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== mcpUrl)
            throw new errors.InvalidTarget("the only resource here is the MCP endpoint");
          return resourceServer;
        },
      },
    },
  });

  // Counted after the request ran, so failed requests (a reused refresh token) count too.
  provider.use(async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    if (route === "token") {
      const grantType = String(ctx.oidc?.params?.grant_type ?? "unknown");
      options.stats.tokenRequests[grantType] = (options.stats.tokenRequests[grantType] ?? 0) + 1;
    } else if (route === "registration") {
      options.stats.registrations += 1;
    } else if (route === "revocation") {
      options.stats.revocations += 1;
    }
  });

  return provider;
}
