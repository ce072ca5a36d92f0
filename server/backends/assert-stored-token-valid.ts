import type { TStoredBackendToken } from "./get-stored-backend-token-or-throw";
import { ReAuthRequiredError } from "./re-auth-required-error";

/** Throws ReAuthRequiredError when the stored token was marked invalid: its grant is gone at the backend. */
export function assertStoredTokenValid({
  token,
  server,
}: Pick<TStoredBackendToken, "token" | "server">): void {
  if (token.isValid) return;
  throw new ReAuthRequiredError({
    mcpServerId: server.id,
    serverName: server.name,
    reason: token.lastError ?? "invalid",
  });
}
