import { isRecord } from "./is-record";

// The client capabilities a backend may rely on (it sends the client elicitation, sampling and roots
// requests through Tumiki). Tumiki declares to a backend exactly what the client declared of these,
// no more (a backend must not ask a client for what it cannot do) and no less (a gateway loses
// nothing). Everything else a client declares concerns Tumiki alone.

const RELAYED = ["elicitation", "sampling", "roots"] as const;

export type TClientCapabilities = Record<string, unknown>;

export function pickRelayedCapabilities(capabilities: unknown): TClientCapabilities {
  if (!isRecord(capabilities)) return {};
  const picked: TClientCapabilities = {};
  for (const name of RELAYED) {
    if (isRecord(capabilities[name])) picked[name] = capabilities[name];
  }
  return picked;
}

/**
 * Whether the client can be sent a URL-mode elicitation (MCP 2025-11-25 and 2026-07-28: `elicitation.url`
 * declared). A bare `elicitation: {}` means form mode only.
 */
export function supportsUrlElicitation(capabilities: TClientCapabilities): boolean {
  const elicitation = capabilities.elicitation;
  return isRecord(elicitation) && isRecord(elicitation.url);
}
