import { LOG_LEVELS } from "../../protocol/mcp-protocol";
import { exposeUri } from "../aggregated-names";
import type { TInstanceBackend } from "../get-instance-backends";
import type { TJsonRpcNotification } from "../json-rpc-schemas";
import type { TMcpClient } from "../mcp-request-context";

// A notification a backend sent in the stream of a relayed request, as the client's era wants it, or
// null when the client must not get it there:
// - progress passes (it names the client's own progress token);
// - a log message reaches a 2026-07-28 client only when that request asked for logs at that level or
//   a more severe one (the per-request logLevel; absent means none);
// - list changes and resource updates belong on a 2026-07-28 client's subscriptions/listen stream,
//   never on a request's (subscriptions.mdx): the caller publishes them there instead;
// - the 2025 completion notice of a URL elicitation has no 2026-07-28 counterpart.
// A resource URI is mapped to the aggregated form the client knows.

export const CHANGE_NOTIFICATIONS = new Set([
  "notifications/tools/list_changed",
  "notifications/prompts/list_changed",
  "notifications/resources/list_changed",
  "notifications/resources/updated",
]);

const severity = (level: unknown) => (typeof level === "string" ? LOG_LEVELS.indexOf(level) : -1);

export function mapBackendNotification({
  client,
  backends,
  backend,
  notification,
}: {
  client: Pick<TMcpClient, "era" | "logLevel">;
  backends: readonly TInstanceBackend[];
  backend: TInstanceBackend;
  notification: TJsonRpcNotification;
}): TJsonRpcNotification | null {
  const { method, params } = notification;
  if (client.era === "modern") {
    if (CHANGE_NOTIFICATIONS.has(method) || method === "notifications/elicitation/complete") return null;
    if (method === "notifications/message") {
      const wanted = client.logLevel === null ? -1 : severity(client.logLevel);
      if (wanted < 0 || severity(params?.level) < wanted) return null;
    }
  }
  if (method === "notifications/resources/updated" && typeof params?.uri === "string") {
    return { ...notification, params: { ...params, uri: exposeUri(backends, backend, params.uri) } };
  }
  return notification;
}
