import { getValidToken } from "../backends/get-valid-token";
import { ReAuthRequiredError } from "../backends/re-auth-required-error";
import { refreshBackendToken } from "../backends/refresh-backend-token";
import type { TInstanceBackend } from "./get-instance-backends";

// The credential of a request to a backend: the user's own backend token (tier 2) or the server's
// static API key. Never anything of the client's: the client's Tumiki token or API key is not even in
// scope here (no token passthrough, MCP security best practices).

export async function getBackendAuthHeaders({
  userId,
  backend,
  rejectedAccessToken,
}: {
  userId: string;
  backend: TInstanceBackend;
  /**
   * The token the backend just refused (401): get a new one, unless another request already has (so
   * many requests refused at once refresh once; refresh tokens may be single-use).
   */
  rejectedAccessToken?: string;
}): Promise<Record<string, string>> {
  switch (backend.authType) {
    case "OAUTH": {
      const options = { userId, mcpServerId: backend.mcpServerId };
      const token = rejectedAccessToken
        ? await refreshBackendToken({ ...options, force: true, rejectedAccessToken })
        : await getValidToken(options);
      // RFC 6750 names the scheme "Bearer"; some ASs answer token_type "bearer", which servers may not take.
      return { authorization: `Bearer ${token.accessToken}` };
    }
    case "API_KEY":
      if (!backend.apiKey || !backend.apiKeyHeaderName) {
        throw new ReAuthRequiredError({
          mcpServerId: backend.mcpServerId,
          serverName: backend.name,
          reason: "not_connected",
        });
      }
      return { [backend.apiKeyHeaderName]: backend.apiKey };
    case "NONE":
      return {};
  }
}
