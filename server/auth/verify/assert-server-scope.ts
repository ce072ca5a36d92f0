import { writeAuditEvent } from "../../audit/write-audit-event";
import { InsufficientScopeError } from "../oauth-errors";
import { hasServerAccess, scopeForServer } from "../scopes";
import type { TMcpAuthContext } from "./mcp-auth-context";

// The scope check before a request reaches a backend server: `mcp:access:<slug>` or `mcp:access:*`.
// The refusal names the scope the client needs, so it can ask the user for it (RFC 6750 §3.1).

export function assertServerScope(options: { auth: TMcpAuthContext; serverSlug: string }): void {
  const { auth, serverSlug } = options;
  if (hasServerAccess(auth.scopes, serverSlug)) return;
  const needed = scopeForServer(serverSlug);
  writeAuditEvent({
    eventType: "mcp.scope_denied",
    outcome: "DENIED",
    actorUserId: auth.userId,
    instanceId: auth.instanceId,
    clientId: auth.kind === "api_key" ? undefined : (auth.clientId ?? undefined),
    reason: "insufficient_scope",
    detail: { serverSlug, requiredScope: needed, credential: auth.kind },
  });
  throw new InsufficientScopeError(needed);
}
