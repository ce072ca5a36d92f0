import { randomBytes } from "node:crypto";
import { hasServerAccess } from "../../auth/scopes";
import { getEnv } from "../../env";
import { isClientDisconnect } from "../../http/is-client-disconnect";
import { instanceEventsKey, ZInstanceEvent } from "../../instance-events/instance-events";
import { getLogger } from "../../logger";
import { activeSubscriptions } from "../../observability/tumiki-metrics";
import { isRecord } from "../../protocol/is-record";
import { JSON_RPC_ERROR, META } from "../../protocol/mcp-protocol";
import { getRedis } from "../../redis";
import { followLog } from "../../redis/follow-log";
import { exposeUri, resolveUri } from "../aggregated-names";
import { answerBackendRequest } from "../answer-backend-request";
import type { TBackendChannel } from "../backend-channel";
import { endBackendSession } from "../end-backend-session";
import { getBackendCapabilities } from "../get-backend-capabilities";
import type { TInstanceBackend } from "../get-instance-backends";
import type { TJsonRpcMessage, TJsonRpcRequest } from "../json-rpc-schemas";
import { backendsInScope, backendsWithTools, type TMcpRequestContext } from "../mcp-request-context";
import { McpRequestError } from "../mcp-request-error";
import { openBackendSession } from "../open-backend-session";
import { backendStreamLockKey } from "../relay/stream-log-keys";
import { resolveBackendChannel } from "../resolve-backend-channel";
import { sendOnChannel } from "../send-on-channel";
import { TUMIKI_SERVER_INFO } from "../server-info";
import { createToolChangeFilter } from "../tools/create-tool-change-filter";
import { acquireStreamSlot, type TStreamSlot } from "./acquire-stream-slot";
import { createCoalescer } from "./coalesce-repeats";
import { createEventStream, type TEventStream } from "./create-event-stream";
import { followBackendFeed } from "./follow-backend-feed";
import { openLegacyBackendFeed } from "./open-legacy-backend-feed";
import { openModernBackendFeed } from "./open-modern-backend-feed";
import { type TSubscriptionFilter, ZSubscriptionFilter } from "./subscription-filter";
import { type THeldLock, tryHoldLock } from "./try-hold-lock";
import { watchCredential } from "./watch-credential";

// subscriptions/listen (2026-07-28, basic/patterns/subscriptions.mdx): one long-lived stream of the
// change notifications the client opted into, each tagged with the subscription's id (the listen
// request's id). Tumiki listens, for as long as the stream lives, to:
// - each backend the token covers that offers what was asked: a 2026-07-28 backend on a listen stream
//   of its own (its URIs in the filter); a 2025 backend on the GET stream of the user's backend session
//   (or of one opened for this subscription alone), resources/subscribe sent for its URIs there;
// - the instance's change log (server/instance-events/), which carries changes seen in any app
//   process (a 2025 backend's list change in some call's stream) and changes of the instance itself.
// The acknowledgement, naming what Tumiki will honour, comes first, once every backend stream is
// established (or has failed), so nothing the client asked for after it is missed. A backend stream
// that breaks is opened again, and the client told to refresh that list, since changes may have been
// missed meanwhile. A server's tool list change is passed on only when what the client would be shown
// of that server's tools differs from what it was shown (create-tool-change-filter.ts); a server the
// token covers only some tools of (tool scopes) is listened to for its tool list changes alone.
// The stream holds one of the user's stream slots (acquire-stream-slot.ts), and ends when its
// credential is revoked or expires (watch-credential.ts). On Vercel, which ends a function at
// maxDuration, it ends gracefully before that (the listen result), so the client knows to listen again.

const READY_TIMEOUT_MS = 5_000;
/** Below the route's maxDuration (300 s) on Vercel. */
const VERCEL_LIFETIME_MS = 290_000;

const LIST_OF_METHOD: Record<string, "tools" | "prompts" | "resources"> = {
  "notifications/tools/list_changed": "tools",
  "notifications/prompts/list_changed": "prompts",
  "notifications/resources/list_changed": "resources",
};
const FILTER_FLAG = {
  tools: "toolsListChanged",
  prompts: "promptsListChanged",
  resources: "resourcesListChanged",
} as const;

type TWatched = {
  backend: TInstanceBackend;
  channel: TBackendChannel;
  capabilities: Record<string, unknown>;
  /** The token covers some of the server's tools only: nothing but its tool list changes concern it. */
  toolsOnly: boolean;
};

export async function openListenStream({
  ctx,
  request,
}: {
  ctx: TMcpRequestContext;
  request: TJsonRpcRequest;
}): Promise<Response> {
  const parsed = ZSubscriptionFilter.safeParse(request.params?.notifications ?? {});
  if (!parsed.success) {
    throw new McpRequestError("BAD_REQUEST", {
      id: request.id,
      rpcCode: JSON_RPC_ERROR.invalidParams,
      inProtocol: true,
      message:
        "Invalid params: notifications must be a subscription filter (booleans and resourceSubscriptions).",
    });
  }
  const wanted = parsed.data;
  const subscriptionId = request.id;
  const slot = await acquireStreamSlot({ userId: ctx.auth.userId, requestId: request.id });
  const stream = createEventStream({ kind: "listen" });
  try {
    return await serveListenStream({ ctx, subscriptionId, wanted, slot, stream });
  } catch (error) {
    // Nothing holds the slot, or keeps the stream's timers going, once it could not be set up.
    stream.close();
    await slot.release();
    throw error;
  }
}

/** The listen stream itself; from its first line on, its lifetime owns the slot. */
async function serveListenStream({
  ctx,
  subscriptionId,
  wanted,
  slot,
  stream,
}: {
  ctx: TMcpRequestContext;
  subscriptionId: string | number;
  wanted: TSubscriptionFilter;
  slot: TStreamSlot;
  stream: TEventStream;
}): Promise<Response> {
  const stop = AbortSignal.any([
    stream.closed,
    ...(getEnv().VERCEL ? [AbortSignal.timeout(VERCEL_LIFETIME_MS)] : []),
  ]);
  // A revoked or expired credential ends the stream without a result: listening again meets the 401.
  watchCredential({ recheckAuth: ctx.recheckAuth, signal: stop, onRevoked: () => stream.close() });

  // What each backend offers decides what Tumiki can honour; a backend that does not answer in time is
  // left out of this stream.
  const probe = AbortSignal.any([stop, AbortSignal.timeout(READY_TIMEOUT_MS)]);
  const watched = (
    await Promise.all(
      backendsWithTools(ctx).map(async (backend): Promise<TWatched | null> => {
        try {
          const channel = await resolveBackendChannel({
            userId: ctx.auth.userId,
            client: ctx.client,
            backend,
            signal: probe,
          });
          return {
            backend,
            channel,
            capabilities: await getBackendCapabilities({ channel, signal: probe }),
            toolsOnly: !hasServerAccess(ctx.auth.scopes, backend.slug),
          };
        } catch (error) {
          getLogger().warn({ err: error, server: backend.slug }, "a backend was left out of a subscription");
          return null;
        }
      }),
    )
  ).filter((entry): entry is TWatched => entry !== null);
  const offers = (name: string) =>
    watched.some(({ capabilities, toolsOnly }) => !toolsOnly && isRecord(capabilities[name]));

  const urisByServer = new Map<string, string[]>();
  const acknowledgedUris: string[] = [];
  for (const uri of wanted.resourceSubscriptions ?? []) {
    const resolved = resolveUri(ctx.backends, uri);
    const entry =
      resolved && watched.find(({ backend }) => backend.mcpServerId === resolved.backend.mcpServerId);
    if (!resolved || !entry || entry.toolsOnly || !isRecord(entry.capabilities.resources)) continue;
    urisByServer.set(resolved.backend.mcpServerId, [
      ...(urisByServer.get(resolved.backend.mcpServerId) ?? []),
      resolved.name,
    ]);
    acknowledgedUris.push(uri);
  }
  const honoured: TSubscriptionFilter = {
    ...(wanted.toolsListChanged ? { toolsListChanged: true } : {}),
    ...(wanted.promptsListChanged && offers("prompts") ? { promptsListChanged: true } : {}),
    ...(wanted.resourcesListChanged && offers("resources") ? { resourcesListChanged: true } : {}),
    ...(acknowledgedUris.length > 0 ? { resourceSubscriptions: acknowledgedUris } : {}),
  };
  // Held while the stream is open; every way it ends closes it (the finally below, or openListenStream).
  if (!stream.closed.aborted) {
    activeSubscriptions.inc({}, acknowledgedUris.length);
    stream.closed.addEventListener("abort", () => activeSubscriptions.dec({}, acknowledgedUris.length), {
      once: true,
    });
  }

  // Delivery: nothing before the acknowledgement; each list change once per window.
  let acknowledged = false;
  const { coalesce } = createCoalescer();
  const tagged = (method: string, params: Record<string, unknown> = {}) => {
    const meta = isRecord(params._meta) ? { ...params._meta } : {};
    delete meta[META.subscriptionId];
    return {
      jsonrpc: "2.0",
      method,
      params: { ...params, _meta: { ...meta, [META.subscriptionId]: subscriptionId } },
    };
  };
  const early: ReturnType<typeof tagged>[] = [];
  const deliver = (message: ReturnType<typeof tagged>) => {
    if (acknowledged) stream.send(message);
    else early.push(message);
  };
  const deliverListChange = (list: "tools" | "prompts" | "resources") => {
    if (!honoured[FILTER_FLAG[list]]) return;
    coalesce(list, () => deliver(tagged(`notifications/${list}/list_changed`)));
  };
  const toolChanges = createToolChangeFilter({ ctx, signal: stop });
  /** One server's tools changed: the client hears of it when its view of them did. */
  const deliverToolsChange = (mcpServerId: string) => {
    if (honoured.toolsListChanged) toolChanges.onChange(mcpServerId, () => deliverListChange("tools"));
  };
  const deliverUpdate = (backend: TInstanceBackend, uri: string) => {
    const exposed = exposeUri(ctx.backends, backend, uri);
    if (honoured.resourceSubscriptions?.includes(exposed)) {
      coalesce(`updated ${exposed}`, () =>
        deliver(tagged("notifications/resources/updated", { uri: exposed })),
      );
    }
  };
  const onBackendMessage = (entry: TWatched) => (message: TJsonRpcMessage) => {
    if (message.kind === "request") {
      // A 2026-07-28 client can be asked for input only within a request of its own (mrtr.mdx).
      answerBackendRequest({ channel: entry.channel, request: message.message });
      return;
    }
    if (message.kind !== "notification") return;
    const list = LIST_OF_METHOD[message.message.method];
    if (list === "tools") deliverToolsChange(entry.backend.mcpServerId);
    if (entry.toolsOnly) return;
    if (list && list !== "tools") deliverListChange(list);
    const uri = message.message.params?.uri;
    if (message.message.method === "notifications/resources/updated" && typeof uri === "string") {
      deliverUpdate(entry.backend, uri);
    }
  };
  /** A backend stream broke and is back: the client refreshes what it may have missed of that server. */
  const refresh = (entry: TWatched) => () => {
    deliverToolsChange(entry.backend.mcpServerId);
    if (entry.toolsOnly) return;
    for (const list of ["prompts", "resources"] as const) deliverListChange(list);
  };

  const dedicatedSessions: TBackendChannel[] = [];
  const heldLocks: THeldLock[] = [];
  const feeds = watched.map((entry) => {
    const uris = urisByServer.get(entry.backend.mcpServerId) ?? [];
    if (entry.channel.era === "modern") {
      const channel = entry.channel;
      const filter: TSubscriptionFilter = {
        ...(honoured.toolsListChanged ? { toolsListChanged: true } : {}),
        ...(honoured.promptsListChanged && !entry.toolsOnly ? { promptsListChanged: true } : {}),
        ...(honoured.resourcesListChanged && !entry.toolsOnly ? { resourcesListChanged: true } : {}),
        ...(uris.length > 0 ? { resourceSubscriptions: uris } : {}),
      };
      if (Object.keys(filter).length === 0) return null;
      return followBackendFeed({
        server: entry.backend.slug,
        open: () => openModernBackendFeed({ channel, filter, signal: stop }),
        signal: stop,
        onMessage: onBackendMessage(entry),
        onReconnected: refresh(entry),
      });
    }
    // A 2025 backend keeps subscriptions (and whatever else makes it send notifications) per session:
    // the user's own backend session, the one their requests use, is followed when no other stream of
    // theirs follows it already (a backend allows one GET stream per session); else a session of this
    // subscription's own, ended with it.
    const shared = entry.channel;
    let channel: TBackendChannel | null = null;
    return followBackendFeed({
      server: entry.backend.slug,
      open: async (lastEventId) => {
        if (!channel) {
          // Redis out of reach: a session of the subscription's own, as when another holds the stream.
          const lock = await tryHoldLock({
            key: backendStreamLockKey(shared.target.sessionKey, entry.backend.mcpServerId),
          }).catch(() => null);
          if (lock) {
            channel = shared;
            heldLocks.push(lock);
          } else {
            const target = { ...shared.target, sessionKey: `l${randomBytes(16).toString("hex")}` };
            const session = await openBackendSession({ target, signal: stop });
            channel = { era: "legacy", target, session, authHeaders: shared.authHeaders };
            dedicatedSessions.push(channel);
          }
          for (const uri of uris) {
            const { reply } = await sendOnChannel({
              channel,
              message: {
                jsonrpc: "2.0",
                id: `tumiki-subscribe-${randomBytes(8).toString("hex")}`,
                method: "resources/subscribe",
                params: { uri },
              },
              signal: stop,
            });
            await reply.body.cancel().catch(() => undefined);
          }
        }
        return channel.era === "legacy"
          ? openLegacyBackendFeed({ channel, lastEventId, signal: stop })
          : null;
      },
      signal: stop,
      onMessage: onBackendMessage(entry),
      onReconnected: refresh(entry),
    });
  });

  const followInstance = async () => {
    const key = instanceEventsKey(ctx.instanceId);
    const after = await getRedis().lastLogId(key);
    // Changes of servers outside the token's scopes are none of this client's business.
    const inScope = backendsInScope(ctx);
    for await (const entry of followLog({ key, after, signal: stop })) {
      const event = ZInstanceEvent.safeParse(JSON.parse(entry.value));
      if (!event.success) continue;
      const { serverId } = event.data;
      if (event.data.type === "list_changed" && event.data.list === "tools") {
        if (serverId !== undefined) {
          deliverToolsChange(serverId);
          continue;
        }
        toolChanges.reset();
      }
      const backend = inScope.find((candidate) => candidate.mcpServerId === serverId);
      if (serverId !== undefined && !backend) continue;
      if (event.data.type === "list_changed") deliverListChange(event.data.list);
      else if (backend) deliverUpdate(backend, event.data.uri);
    }
  };

  const lifetime = async () => {
    const instanceFollower = followInstance().catch((error: unknown) => {
      if (!stop.aborted) getLogger().warn({ err: error }, "following an instance's changes failed");
    });
    await Promise.race([
      Promise.all(feeds.map((feed) => feed?.ready)),
      new Promise((resolve) => setTimeout(resolve, READY_TIMEOUT_MS).unref?.()),
    ]);
    stream.send(tagged("notifications/subscriptions/acknowledged", { notifications: honoured }));
    acknowledged = true;
    for (const message of early.splice(0)) stream.send(message);
    await new Promise<void>((resolve) => {
      if (stop.aborted) resolve();
      else stop.addEventListener("abort", () => resolve(), { once: true });
    });
    if (!stream.closed.aborted) {
      // Ended by Tumiki (its deadline), not the client: the listen result says it ended on purpose.
      stream.send({
        jsonrpc: "2.0",
        id: subscriptionId,
        result: {
          resultType: "complete",
          _meta: { [META.subscriptionId]: subscriptionId, [META.serverInfo]: TUMIKI_SERVER_INFO },
        },
      });
      stream.close();
    }
    await instanceFollower;
  };
  ctx.waitUntil(
    lifetime()
      .catch((error: unknown) => {
        if (isClientDisconnect({ error, signal: stream.closed })) {
          getLogger().debug({ err: error }, "a subscription stream ended: the client went away");
        } else {
          getLogger().error({ err: error }, "a subscription stream failed");
        }
      })
      .finally(async () => {
        stream.close();
        await slot.release();
        await Promise.all(heldLocks.map((lock) => lock.release()));
        await Promise.all(dedicatedSessions.map((channel) => endBackendSession({ channel })));
      }),
  );
  return stream.response;
}
