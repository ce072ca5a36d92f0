import { hasAnyToolAccess, hasServerAccess } from "../auth/scopes";
import type { TMcpAuthContext } from "../auth/verify/mcp-auth-context";
import type { TMcpRequestMeter } from "../observability/start-mcp-request-meter";
import type { TClientCapabilities } from "./client-capabilities";
import type { TInstanceBackend } from "./get-instance-backends";
import type { TMcpSessionHandle } from "./mcp-session-schemas";
import type { TModernEnvelope } from "./modern/read-modern-envelope";

/**
 * The client of one request, by era: a legacy (2025) client speaks within the session it opened with
 * `initialize`; a modern (2026-07-28) client describes itself in the request's `_meta`.
 */
export type TMcpClient =
  | {
      era: "legacy";
      handle: TMcpSessionHandle;
      /** What it declared at `initialize` of elicitation, sampling and roots. */
      capabilities: TClientCapabilities;
      logLevel: string | null;
    }
  | {
      era: "modern";
      envelope: TModernEnvelope;
      /** The instance and credential the request comes with (client-principal.ts). */
      principal: string;
      /** The envelope's capabilities, narrowed to those Tumiki declares to backends. */
      capabilities: TClientCapabilities;
      logLevel: string | null;
    };

/** Everything a method handler of /mcp/{instanceId} works with, established once per request. */
export type TMcpRequestContext = {
  auth: TMcpAuthContext;
  instanceId: string;
  client: TMcpClient;
  /** Every server of the instance, by slug: names are aggregated over all of them, whatever the scopes. */
  backends: TInstanceBackend[];
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** Whether the credential still authorizes the request (long-lived streams re-check it). */
  recheckAuth: () => Promise<boolean>;
  /**
   * Keeps work running after the response has ended (a backend call a 2026-07-28 client will resume
   * with its answers); on Vercel the function lives until it settles, within maxDuration.
   */
  waitUntil: (work: Promise<unknown>) => void;
  /** The request's figures, on a POSTed request: a relayed call settles them itself when it ends. */
  meter?: TMcpRequestMeter;
};

/** The servers the token's scopes cover: lists show only these, calls reach only these. */
export const backendsInScope = (ctx: Pick<TMcpRequestContext, "auth" | "backends">) =>
  ctx.backends.filter((backend) => hasServerAccess(ctx.auth.scopes, backend.slug));

/** The servers at least one of whose tools the token's scopes cover (server or tool scopes). */
export const backendsWithTools = (ctx: Pick<TMcpRequestContext, "auth" | "backends">) =>
  ctx.backends.filter((backend) => hasAnyToolAccess(ctx.auth.scopes, backend.slug));
