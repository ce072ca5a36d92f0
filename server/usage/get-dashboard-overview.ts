import type { TBackendHealth } from "../backend-health/backend-health-schemas";
import { readBackendHealth } from "../backend-health/read-backend-health";
import type { TConnectionState } from "../backends/derive-connection-state";
import { listBackendTokens } from "../backends/list-backend-tokens";
import { listInstances } from "../instances/list-instances";
import { listUserServers } from "../servers/list-user-servers";

// What the dashboard home shows besides the charts: the user's instances with the servers they bundle,
// each server's connection and health, and the backend tokens that need the user. Built from the same
// lists as the Instances, Servers and Tokens pages (a fixed number of queries, run together), so the
// home page says what those pages say.

/** Tokens Tumiki cannot renew are flagged this long before they expire: time to sign in again first. */
const NON_RENEWABLE_NOTICE_MS = 24 * 3_600_000;

/** A backend token the user should act on, and why. */
export type TTokenAttention = {
  serverId: string;
  serverName: string;
  /**
   * needs_reauth: only a new sign-in helps; error: the last refresh failed; expiring: it expires soon and
   * either Tumiki cannot renew it (no refresh token) or it is inside the refresh window.
   */
  reason: "needs_reauth" | "error" | "expiring";
  expiresAt: Date | null;
  lastError: string | null;
  /** The sign-in to offer: the Tokens page's action, or "reconnect" for a token that cannot be renewed. */
  action: "connect" | "reconnect" | null;
  canRefresh: boolean;
};

export type TDashboardServer = {
  serverId: string;
  name: string;
  slug: string;
  state: TConnectionState;
  health: TBackendHealth;
  instanceNames: string[];
};

export type TDashboardInstance = {
  id: string;
  name: string;
  mcpUrl: string;
  /** The servers it bundles; serverId is null for one the user is no longer connected to. */
  servers: { serverId: string | null; name: string; slug: string; health: TBackendHealth | null }[];
};

export type TDashboardOverview = {
  instances: TDashboardInstance[];
  servers: TDashboardServer[];
  tokens: TTokenAttention[];
};

export async function getDashboardOverview({
  userId,
  now = new Date(),
}: {
  userId: string;
  now?: Date;
}): Promise<TDashboardOverview> {
  const [instances, userServers, tokens] = await Promise.all([
    listInstances({ userId }),
    listUserServers({ userId }),
    listBackendTokens({ userId }),
  ]);
  const health = await readBackendHealth({ mcpServerIds: userServers.map((server) => server.serverId) });
  const servers = userServers.map((server) => ({
    serverId: server.serverId,
    name: server.name,
    slug: server.slug,
    state: server.state,
    health: health[server.serverId] ?? { state: "unknown" as const },
    instanceNames: server.instanceNames,
  }));
  const bySlug = new Map(servers.map((server) => [server.slug, server]));

  return {
    instances: instances.map((instance) => ({
      id: instance.id,
      name: instance.name,
      mcpUrl: instance.mcpUrl,
      servers: instance.connections.map((connection) => {
        const server = bySlug.get(connection.slug);
        return {
          serverId: server?.serverId ?? null,
          name: connection.serverName,
          slug: connection.slug,
          health: server?.health ?? null,
        };
      }),
    })),
    servers,
    tokens: tokens.flatMap((token): TTokenAttention[] => {
      const { status, action, canRefresh } = token.state;
      const expiresSoonForGood =
        token.hasToken &&
        !canRefresh &&
        token.expiresAt !== null &&
        token.expiresAt.getTime() - now.getTime() <= NON_RENEWABLE_NOTICE_MS;
      const reason =
        status === "needs_reauth" || status === "error"
          ? status
          : status === "expiring" || (status === "connected" && expiresSoonForGood)
            ? "expiring"
            : null;
      if (!reason) return [];
      return [
        {
          serverId: token.serverId,
          serverName: token.serverName,
          reason,
          expiresAt: token.expiresAt,
          lastError: token.lastError,
          action: action ?? (canRefresh ? null : "reconnect"),
          canRefresh,
        },
      ];
    }),
  };
}
