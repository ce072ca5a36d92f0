import { z } from "zod";

// The shape of an audit event, the single source for writers and the audit log viewer.

export const AUDIT_EVENT_TYPES = [
  "auth.sign_up",
  "auth.sign_in",
  "auth.sign_out",
  "oauth.authorization_granted",
  "oauth.authorization_denied",
  "oauth.consent_granted",
  "oauth.consent_revoked",
  "oauth.client_registered",
  "oauth.token_issued",
  "oauth.token_refreshed",
  "oauth.refresh_token_reuse_detected",
  "oauth.token_revoked",
  "mcp.auth_failed",
  "mcp.scope_denied",
  "mcp.tool_called",
  "mcp.tool_held",
  "mcp.tool_confirmation",
  "backend.client_registered",
  "backend.authorization_failed",
  "backend.connected",
  "backend.disconnected",
  "backend.token_refreshed",
  "backend.token_refresh_failed",
  "instance.tools_changed",
  "instance.tool_approved",
  "api_key.created",
  "api_key.revoked",
  "admin.limit_changed",
  "system.cleanup_completed",
] as const;

export const AUDIT_OUTCOMES = ["SUCCESS", "FAILURE", "DENIED"] as const;

export const ZAuditEvent = z.object({
  eventType: z.enum(AUDIT_EVENT_TYPES),
  outcome: z.enum(AUDIT_OUTCOMES),
  actorUserId: z.string().optional(),
  clientId: z.string().optional(),
  instanceId: z.string().optional(),
  mcpServerId: z.string().optional(),
  ip: z.string().max(64).optional(),
  userAgent: z.string().max(512).optional(),
  /** A machine-readable reason for a failure, e.g. "invalid_signature". Never a token. */
  reason: z.string().max(120).optional(),
  /** How long the event took (tool calls), kept in a column so the usage dashboard can aggregate it. */
  durationMs: z.number().int().min(0).optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

export type TAuditEvent = z.infer<typeof ZAuditEvent>;
