import { createHash } from "node:crypto";
import { z } from "zod";

// What Tumiki keeps of an MCP session, in Redis only (never process memory: any app process or Vercel
// function may serve the next request). The session id is a bearer-like secret, so keys hold its
// SHA-256, never the id itself. A session is bound to the user and instance that opened it.

export const ZMcpSession = z.object({
  userId: z.string(),
  instanceId: z.string(),
  protocolVersion: z.string(),
  /**
   * What the client declared at `initialize` of the capabilities a backend may use (elicitation,
   * sampling, roots): Tumiki declares exactly these to backends on its behalf.
   */
  clientCapabilities: z.record(z.string(), z.unknown()).default({}),
  /** The level of `logging/setLevel`, for backends that take it per request (2026-07-28); null: unset. */
  logLevel: z.string().nullable().default(null),
  createdAt: z.number(),
});
export type TMcpSession = z.infer<typeof ZMcpSession>;

/** A session as a request sees it: its record and the hashed key its backend sessions hang off. */
export type TMcpSessionHandle = { key: string; session: TMcpSession };

/** What a backend answered its `initialize` with, for one Tumiki session. */
export const ZBackendSession = z.object({
  /** The backend's Mcp-Session-Id; null for a stateless backend that sent none. */
  sessionId: z.string().max(1024).nullable(),
  protocolVersion: z.string(),
  capabilities: z.record(z.string(), z.unknown()),
});
export type TBackendSession = z.infer<typeof ZBackendSession>;

export const hashSessionId = (sessionId: string) => createHash("sha256").update(sessionId).digest("hex");

export const mcpSessionKey = (key: string) => `mcp_session:${key}`;

export const backendSessionKey = (key: string, mcpServerId: string) =>
  `mcp_backend_session:${key}:${mcpServerId}`;
