import type { AUDIT_EVENT_TYPES } from "@/server/audit/audit-event";

// The audit log's event types in words. A Record over every type, so a new type fails the typecheck
// until it has a label.

export const AUDIT_EVENT_LABELS: Record<(typeof AUDIT_EVENT_TYPES)[number], string> = {
  "auth.sign_up": "Account created",
  "auth.sign_in": "Signed in",
  "auth.sign_out": "Signed out",
  "oauth.authorization_granted": "Authorization granted",
  "oauth.authorization_denied": "Authorization denied",
  "oauth.consent_granted": "Consent given",
  "oauth.consent_revoked": "Consent revoked",
  "oauth.client_registered": "Client registered",
  "oauth.token_issued": "Token issued",
  "oauth.token_refreshed": "Token refreshed",
  "oauth.refresh_token_reuse_detected": "Refresh token reuse detected",
  "oauth.token_revoked": "Token revoked",
  "mcp.auth_failed": "MCP request refused (authentication)",
  "mcp.scope_denied": "MCP request refused (scope)",
  "mcp.tool_called": "Tool called",
  "mcp.tool_held": "Tool held back for review",
  "mcp.tool_confirmation": "Tool call confirmation",
  "backend.client_registered": "Registered with a server's authorization server",
  "backend.authorization_failed": "Server connection failed",
  "backend.connected": "Server connected",
  "backend.disconnected": "Server disconnected",
  "backend.token_refreshed": "Server token refreshed",
  "backend.token_refresh_failed": "Server token refresh failed",
  "instance.tools_changed": "Instance tool settings changed",
  "instance.tool_approved": "Changed tool approved",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "admin.limit_changed": "User's /mcp limit changed (admin)",
  "system.cleanup_completed": "Clean-up job ran",
};
