import { getAppUrl } from "../auth/resource-urls";
import { AppError } from "../errors";

/**
 * The user's grant at a backend is gone (revoked, expired refresh token, deleted client) or was never
 * made (reason "not_connected"): only the user can fix it, by connecting the server (again). Not a 401 of Tumiki's own: the MCP route turns this into
 * a URL elicitation or a tool error carrying `reconnectUrl` (DESIGN.md "Re-auth is not a 401").
 */
export class ReAuthRequiredError extends AppError {
  readonly mcpServerId: string;
  readonly serverName: string;
  readonly reconnectUrl: string;
  /** Machine-readable cause, e.g. "not_connected", "invalid_grant" or "no_refresh_token". Never a token. */
  readonly reason: string;

  constructor({
    mcpServerId,
    serverName,
    reason,
  }: { mcpServerId: string; serverName: string; reason: string }) {
    const reconnectUrl = getAppUrl(`/servers?reconnect=${encodeURIComponent(mcpServerId)}`);
    super("FORBIDDEN", {
      message: `backend authorization of server ${mcpServerId} must be renewed by the user (${reason})`,
      userMessage:
        reason === "not_connected"
          ? `${serverName} is not connected yet. Connect it at ${reconnectUrl}.`
          : `${serverName} needs to be reconnected: its authorization has expired or was revoked. Reconnect it at ${reconnectUrl}`,
    });
    this.name = "ReAuthRequiredError";
    this.mcpServerId = mcpServerId;
    this.serverName = serverName;
    this.reconnectUrl = reconnectUrl;
    this.reason = reason;
  }
}
