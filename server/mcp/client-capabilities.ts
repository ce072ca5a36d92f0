import { isRecord } from "../protocol/is-record";

// The client capabilities a backend may rely on (it sends the client elicitation, sampling and roots
// requests through Tumiki). Tumiki declares to a backend exactly what the client declared of these,
// no more (a backend must not ask a client for what it cannot do) and no less (a gateway loses
// nothing). Everything else a client declares concerns Tumiki alone.

// Of each, only the parts the specification defines are kept (their settings, such as the SDK's
// `form.applyDefaults`, unchanged): nothing else a client puts there travels to a backend or into the
// key by which 2026-07-28 clients share backend sessions.
const RELAYED = {
  elicitation: ["form", "url"],
  sampling: ["context", "tools"],
  roots: ["listChanged"],
} as const;

export type TClientCapabilities = Record<string, unknown>;

export function pickRelayedCapabilities(capabilities: unknown): TClientCapabilities {
  if (!isRecord(capabilities)) return {};
  const picked: TClientCapabilities = {};
  for (const [name, parts] of Object.entries(RELAYED)) {
    const declared = capabilities[name];
    if (!isRecord(declared)) continue;
    const kept: Record<string, unknown> = {};
    for (const part of parts) {
      const value = declared[part];
      if (part === "listChanged" ? typeof value === "boolean" : isRecord(value)) kept[part] = value;
    }
    picked[name] = kept;
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
