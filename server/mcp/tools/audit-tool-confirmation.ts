import { writeAuditEvent } from "../../audit/write-audit-event";
import { toolConfirmations } from "../../observability/tumiki-metrics";
import type { TRelayedCall } from "../relay/relayed-call";

// How a confirmation of a tool call ended, in the audit log (`mcp.tool_confirmation`: SUCCESS when the
// user said yes, DENIED with the reason otherwise) and in the metrics (by outcome, no ids). The call
// itself is audited as every call is (`mcp.tool_called`), a refused one as a FAILURE with the same reason.

export type TConfirmationOutcome =
  | "accepted"
  | "declined"
  | "timed_out"
  | "unavailable"
  | "reused"
  | "cancelled";

export function auditToolConfirmation({
  call,
  outcome,
  reason,
}: {
  call: TRelayedCall;
  outcome: TConfirmationOutcome;
  /** Why it was refused (an audit reason code); none when accepted. */
  reason?: string;
}): void {
  const { ctx, backend } = call;
  const tool = typeof call.params.name === "string" ? call.params.name : "";
  toolConfirmations.inc({ outcome });
  writeAuditEvent({
    eventType: "mcp.tool_confirmation",
    outcome: outcome === "accepted" ? "SUCCESS" : "DENIED",
    actorUserId: ctx.auth.userId,
    instanceId: ctx.auth.instanceId,
    mcpServerId: backend.mcpServerId,
    clientId: ctx.auth.kind === "oauth" ? ctx.auth.clientRowId : undefined,
    reason,
    detail: { tool: tool.slice(0, 200), serverSlug: backend.slug },
  });
}
