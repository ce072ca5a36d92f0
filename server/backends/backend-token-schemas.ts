import { z } from "zod";
import { ZConnectionState } from "./derive-connection-state";

// The shapes of the Tokens page's API (router backendTokens).

/** One of the user's connections, named by its server (a user has at most one connection per server). */
export const ZBackendTokenActionInput = z.object({ serverId: z.string().min(1).max(64) });
export type TBackendTokenActionInput = z.infer<typeof ZBackendTokenActionInput>;

/** What Tumiki knows about one OAuth connection's backend token; never a token value. */
export const ZBackendTokenSummary = z.object({
  serverId: z.string(),
  serverName: z.string(),
  slug: z.string(),
  state: ZConnectionState,
  expiresAt: z.date().nullable(),
  scopes: z.array(z.string()),
  refreshCount: z.number().int(),
  lastRefreshedAt: z.date().nullable(),
  /** A machine-readable code such as "invalid_grant"; the UI words it. */
  lastError: z.string().nullable(),
  /** False when there is nothing to disconnect (never signed in, or disconnected). */
  hasToken: z.boolean(),
  connectedAt: z.date(),
});
export type TBackendTokenSummary = z.infer<typeof ZBackendTokenSummary>;
