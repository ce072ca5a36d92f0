import packageJson from "@/package.json";
import { isRecord } from "../protocol/is-record";
import {
  MCP_METHOD_HEADER,
  MCP_NAME_HEADER,
  MCP_PROTOCOL_VERSION_HEADER,
  MCP_SESSION_HEADER,
  META,
  MODERN_VERSION,
  NAMED_METHODS,
} from "../protocol/mcp-protocol";
import type { TBackendChannel } from "./backend-channel";
import { encodeHeaderValue } from "./modern/header-value-codec";

// A message as the backend's era wants it on the wire. Legacy (2025): the session's headers, and no
// 2026 `_meta` envelope keys (a client of the other era may have sent them). Modern (2026-07-28): the
// envelope in `params._meta` (version, the capabilities Tumiki declares for the client, Tumiki's own
// identity: Tumiki is the backend's client) and the headers that mirror the body, with the backend's
// own name in `Mcp-Name` (never the aggregated name the client used).

const ENVELOPE_KEYS: readonly string[] = [
  META.protocolVersion,
  META.clientCapabilities,
  META.clientInfo,
  META.logLevel,
];

const CLIENT_INFO = { name: "tumiki", version: packageJson.version };

type TOutgoing = { jsonrpc: "2.0"; method?: string; params?: Record<string, unknown> } & Record<
  string,
  unknown
>;

function withoutEnvelope(meta: unknown): Record<string, unknown> | undefined {
  if (!isRecord(meta)) return undefined;
  const rest = Object.fromEntries(Object.entries(meta).filter(([key]) => !ENVELOPE_KEYS.includes(key)));
  return Object.keys(rest).length > 0 ? rest : undefined;
}

export function frameForBackend(
  channel: TBackendChannel,
  message: TOutgoing,
): { body: TOutgoing; headers: Record<string, string> } {
  const params = message.params ?? {};
  const carried = withoutEnvelope(params._meta);
  if (channel.era === "legacy") {
    const { _meta: _dropped, ...rest } = params;
    const body =
      message.method === undefined
        ? message
        : { ...message, params: carried ? { ...rest, _meta: carried } : rest };
    const headers: Record<string, string> = {
      [MCP_PROTOCOL_VERSION_HEADER]: channel.session.protocolVersion,
    };
    if (channel.session.sessionId) headers[MCP_SESSION_HEADER] = channel.session.sessionId;
    return { body, headers };
  }
  if (message.method === undefined) return { body: message, headers: {} };
  const envelope = {
    ...carried,
    [META.protocolVersion]: MODERN_VERSION,
    [META.clientCapabilities]: channel.target.capabilities,
    [META.clientInfo]: CLIENT_INFO,
    ...(channel.logLevel ? { [META.logLevel]: channel.logLevel } : {}),
  };
  const headers: Record<string, string> = {
    [MCP_PROTOCOL_VERSION_HEADER]: MODERN_VERSION,
    [MCP_METHOD_HEADER]: message.method,
  };
  const nameKey = NAMED_METHODS[message.method];
  const name = nameKey ? params[nameKey] : undefined;
  if (typeof name === "string") headers[MCP_NAME_HEADER] = encodeHeaderValue(name);
  return { body: { ...message, params: { ...params, _meta: envelope } }, headers };
}
