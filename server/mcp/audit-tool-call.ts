import { writeAuditEvent } from "../audit/write-audit-event";
import type { TMcpAuthContext } from "../auth/verify/mcp-auth-context";
import type { TInstanceBackend } from "./get-instance-backends";

// One audit row per tools/call (plan task 5.1): who, through which client, on which instance and
// server, which tool, how it ended and how long it took. Never the arguments or the result: they are
// the user's data, not an auth event. writeAuditEvent does not block the response.

export function auditToolCall({
  auth,
  backend,
  tool,
  outcome,
  reason,
  durationMs,
}: {
  auth: TMcpAuthContext;
  backend: TInstanceBackend;
  tool: string;
  outcome: "SUCCESS" | "FAILURE" | "DENIED";
  reason?: string;
  durationMs: number;
}): void {
  writeAuditEvent({
    eventType: "mcp.tool_called",
    outcome,
    actorUserId: auth.userId,
    instanceId: auth.instanceId,
    mcpServerId: backend.mcpServerId,
    // Audit rows name clients by AiClient.id (see assert-server-scope.ts); external tokens only by detail.
    clientId: auth.kind === "oauth" ? auth.clientRowId : undefined,
    reason,
    durationMs: Math.round(durationMs),
    detail: {
      tool: tool.slice(0, 200),
      serverSlug: backend.slug,
      authKind: auth.kind,
      ...(auth.kind !== "api_key" && auth.clientId ? { oauthClientId: auth.clientId } : {}),
      ...(auth.kind === "api_key" ? { apiKeyId: auth.apiKeyId } : {}),
    },
  });
}
