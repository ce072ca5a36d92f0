import { hasServerAccess } from "../auth/scopes";
import type { TMcpAuthContext } from "../auth/verify/mcp-auth-context";
import type { TBackendTarget } from "./backend-target";
import type { TInstanceBackend } from "./get-instance-backends";
import type { TMcpSessionHandle } from "./mcp-session-schemas";

/** Everything a method handler of /mcp/{instanceId} works with, established once per request. */
export type TMcpRequestContext = {
  auth: TMcpAuthContext;
  instanceId: string;
  handle: TMcpSessionHandle;
  /** Every server of the instance, by slug: names are aggregated over all of them, whatever the scopes. */
  backends: TInstanceBackend[];
  /** Aborts when the client goes away. */
  signal: AbortSignal;
};

export const toTarget = (ctx: TMcpRequestContext, backend: TInstanceBackend): TBackendTarget => ({
  userId: ctx.auth.userId,
  sessionKey: ctx.handle.key,
  backend,
});

/** The servers the token's scopes cover: lists show only these, calls reach only these. */
export const backendsInScope = (ctx: Pick<TMcpRequestContext, "auth" | "backends">) =>
  ctx.backends.filter((backend) => hasServerAccess(ctx.auth.scopes, backend.slug));
