import { writeAuditEvent } from "../../audit/write-audit-event";
import { InsufficientScopeError } from "../oauth-errors";
import { hasAnyToolAccess, hasServerAccess, hasToolAccess, scopeForServer, scopeForTool } from "../scopes";
import type { TMcpAuthContext } from "./mcp-auth-context";

// The scope check before a request reaches a backend server: `mcp:access:<slug>` or `mcp:access:*`.
// The refusal names the scope the client needs, so it can ask the user for it (RFC 6750 §3.1). That one
// scope is all the request needs (it reaches one server), so the challenge names nothing else, not even
// scopes the token already holds: MCP 2026-07-28 leaves keeping earlier grants to the client, which asks
// for the union of what it had and what the challenge names.

export function assertServerScope(options: { auth: TMcpAuthContext; serverSlug: string }): void {
  const { auth, serverSlug } = options;
  if (hasServerAccess(auth.scopes, serverSlug)) return;
  refuse(auth, serverSlug, scopeForServer(serverSlug));
}

/**
 * The check before a tools/call: the server's scope or the tool's own (`mcp:access:<slug>:<tool>`). A
 * token that holds tool scopes of the server is told the tool's scope (it was given tools one by one);
 * any other, the server's.
 */
export function assertToolScope(options: { auth: TMcpAuthContext; serverSlug: string; tool: string }): void {
  const { auth, serverSlug, tool } = options;
  if (hasToolAccess(auth.scopes, serverSlug, tool)) return;
  const oneByOne = hasAnyToolAccess(auth.scopes, serverSlug);
  refuse(auth, serverSlug, oneByOne ? scopeForTool(serverSlug, tool) : scopeForServer(serverSlug));
}

function refuse(auth: TMcpAuthContext, serverSlug: string, needed: string): never {
  writeAuditEvent({
    eventType: "mcp.scope_denied",
    outcome: "DENIED",
    actorUserId: auth.userId,
    instanceId: auth.instanceId,
    // Audit rows name clients by AiClient.id (the audit log page resolves names by it); the OAuth
    // client_id, the only name an external token carries, goes into the detail.
    clientId: auth.kind === "oauth" ? auth.clientRowId : undefined,
    reason: "insufficient_scope",
    detail: {
      serverSlug,
      requiredScope: needed,
      // Not "credential": the audit redactor blanks any key that names one.
      authKind: auth.kind,
      ...(auth.kind !== "api_key" && auth.clientId ? { oauthClientId: auth.clientId } : {}),
    },
  });
  throw new InsufficientScopeError([needed]);
}
