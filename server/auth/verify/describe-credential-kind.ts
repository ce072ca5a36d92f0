import { decodeJwt } from "jose";
import { getEnv } from "../../env";
import { SECRET_PREFIX } from "../opaque-secrets";
import { getIssuer } from "../resource-urls";

// What kind of credential a refused /mcp request presented, for the authentication figures: the same
// kinds a verified credential has (TMcpAuthContext.kind), plus "none" (no Authorization header: how
// every MCP client discovers the authorization server, so not a failure worth an alert) and "unknown"
// (malformed, or a JWT from an issuer Tumiki does not trust). Nothing here is verified.

export type TCredentialKind = "none" | "api_key" | "oauth" | "external" | "unknown";

export function describeCredentialKind({ headers }: { headers: Headers }): TCredentialKind {
  const header = headers.get("authorization")?.trim() ?? "";
  if (header === "") return "none";
  const token = /^Bearer +(\S+)$/i.exec(header)?.[1];
  if (!token) return "unknown";
  if (token.startsWith(SECRET_PREFIX.apiKey)) return "api_key";
  try {
    const issuer = decodeJwt(token).iss;
    if (issuer === getIssuer()) return "oauth";
    if (issuer !== undefined && issuer === getEnv().EXTERNAL_AUTH_ISSUER) return "external";
  } catch {
    // Not a JWT.
  }
  return "unknown";
}
