import type { TMcpAuthContext } from "../auth/verify/mcp-auth-context";

/**
 * Who stands behind a 2026-07-28 client's requests, beyond the user: the instance and the credential's
 * client (the OAuth client, the external token's party, or the API key). Backend sessions a modern
 * client reaches are shared only within one principal, so what a backend sends on one (a request for
 * input, a resource update) never reaches another AI client of the same user or another instance.
 */
export function describeClientPrincipal(auth: TMcpAuthContext): string {
  const party =
    auth.kind === "oauth"
      ? `oauth:${auth.clientId}`
      : auth.kind === "external"
        ? // A token that names no client is its own party: nothing is shared on a guess.
          `external:${auth.clientId ?? `token:${auth.jti ?? ""}`}`
        : `api_key:${auth.apiKeyId}`;
  return `${auth.instanceId}\n${party}`;
}
