import { randomUUID } from "node:crypto";
import { z } from "zod";
import { MODERN_VERSION } from "../protocol/mcp-protocol";
import type { TBackendChannel } from "./backend-channel";
import { BackendUnavailableError } from "./backend-unavailable-error";
import { classifyBackendMessage } from "./classify-backend-message";
import { readJsonMessages } from "./read-json-messages";
import { readSseMessages } from "./read-sse-messages";
import { sendOnChannel } from "./send-on-channel";
import { toBackendUnavailable } from "./to-backend-unavailable";

// Asks a backend `server/discover` the 2026-07-28 way, as a dual-era client probes a server of unknown
// era (versioning.mdx, "Backward Compatibility"). A discover result that offers 2026-07-28 makes it
// modern; an answer that refuses it (an HTTP 4xx such as 400, 404 or 405, a JSON-RPC error, a result
// without the version) shows it is not, and the caller falls back to `initialize`. An outage, a 5xx,
// a timeout (408), a rate limit (429) or an authentication failure shows neither and is raised as it
// is: it must not leave a verdict that would misroute every user of the backend for an hour.

export const ZBackendDiscover = z.object({
  supportedVersions: z.array(z.string()),
  capabilities: z.record(z.string(), z.unknown()).default({}),
  instructions: z.string().optional(),
  ttlMs: z.number().optional(),
});
export type TBackendDiscover = z.infer<typeof ZBackendDiscover>;

export async function probeModernBackend({
  channel,
  signal,
}: {
  /** A modern channel to the backend (its era is what is being found out). */
  channel: Extract<TBackendChannel, { era: "modern" }>;
  signal?: AbortSignal;
}): Promise<TBackendDiscover | null> {
  const id = `tumiki-discover-${randomUUID()}`;
  let sent: Awaited<ReturnType<typeof sendOnChannel>>;
  try {
    sent = await sendOnChannel({
      channel,
      message: { jsonrpc: "2.0", id, method: "server/discover", params: {} },
      signal,
      maxBytes: 1024 * 1024,
    });
  } catch (error) {
    const status = error instanceof BackendUnavailableError ? error.backendStatus : null;
    const undecided = [401, 403, 408, 429];
    if (status !== null && status >= 400 && status < 500 && !undecided.includes(status)) return null;
    throw error;
  }
  const { reply } = sent;
  if (reply.status !== 200) {
    await reply.body.cancel().catch(() => undefined);
    return null;
  }
  const isSse = (reply.headers.get("content-type") ?? "").toLowerCase().startsWith("text/event-stream");
  let answer: unknown = null;
  /** An answer to something else (an error with a null id, say): no 2026-07-28 server answers so. */
  let answeredOtherwise = false;
  try {
    // Either framing may carry other messages first (a log notification); the answer is the one with
    // this id. Once it is found the rest of the body is not read.
    for await (const value of isSse ? readSseMessages(reply.body) : readJsonMessages(reply.body)) {
      const message = classifyBackendMessage(value);
      if (message?.kind === "response" && message.message.id === id) {
        answer = message.message;
        break;
      }
      if (message?.kind === "response") answeredOtherwise = true;
    }
  } catch (error) {
    // A body that is not JSON answers as no 2026-07-28 server would; a body cut short (a timeout, the
    // caller gone, a reset) says nothing.
    if (error instanceof SyntaxError) return null;
    throw toBackendUnavailable({ error, serverName: channel.target.backend.name, signal });
  } finally {
    await reply.body.cancel().catch(() => undefined);
  }
  if (answer === null) {
    if (answeredOtherwise) return null;
    throw new BackendUnavailableError({ reason: "closed_early", serverName: channel.target.backend.name });
  }
  const message = classifyBackendMessage(answer);
  if (message?.kind !== "response" || !("result" in message.message)) return null;
  const discover = ZBackendDiscover.safeParse(message.message.result);
  if (!discover.success || !discover.data.supportedVersions.includes(MODERN_VERSION)) return null;
  return discover.data;
}
