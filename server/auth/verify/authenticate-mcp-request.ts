import { decodeJwt } from "jose";
import { getEnv } from "../../env";
import { verifyApiKey } from "../api-keys/verify-api-key";
import { InvalidTokenError } from "../oauth-errors";
import { SECRET_PREFIX } from "../opaque-secrets";
import { getIssuer } from "../resource-urls";
import type { TMcpAuthContext } from "./mcp-auth-context";
import { verifyExternalAccessToken } from "./verify-external-access-token";
import { verifyTumikiAccessToken } from "./verify-tumiki-access-token";

// The credential of a request to /mcp/{instanceId}: a bearer token in the Authorization header and
// nowhere else (RFC 6750 §2.3 query tokens leak into logs and histories; the MCP spec forbids them).
// The unverified payload is read only to pick the verifier; that verifier checks everything again.

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const MAX_TOKEN_LENGTH = 8192;

export async function authenticateMcpRequest(options: {
  request: Request;
  instanceId: string;
}): Promise<TMcpAuthContext> {
  const { request, instanceId } = options;
  const header = request.headers.get("authorization");
  if (header === null || header.trim() === "") {
    throw new InvalidTokenError("This MCP instance needs an access token in the Authorization header.", {
      reason: "missing_token",
    });
  }
  const token = BEARER.exec(header)?.[1];
  if (!token || token.length > MAX_TOKEN_LENGTH) {
    throw new InvalidTokenError("The Authorization header must be `Bearer <token>`.", {
      reason: "malformed_authorization_header",
    });
  }

  if (token.startsWith(SECRET_PREFIX.apiKey)) return verifyApiKey({ key: token, instanceId });

  let issuer: unknown;
  try {
    issuer = decodeJwt(token).iss;
  } catch (error) {
    throw new InvalidTokenError("The access token is malformed.", {
      reason: "malformed_token",
      cause: error,
    });
  }
  if (issuer === getIssuer()) return verifyTumikiAccessToken({ token, instanceId });
  const external = getEnv().EXTERNAL_AUTH_ISSUER;
  if (external && issuer === external) return verifyExternalAccessToken({ token, instanceId });
  throw new InvalidTokenError("The access token was issued by another issuer.", { reason: "wrong_issuer" });
}
