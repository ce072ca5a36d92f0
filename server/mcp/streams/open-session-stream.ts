import { randomBytes } from "node:crypto";
import { hasServerAccess } from "../../auth/scopes";
import { getEnv } from "../../env";
import { instanceEventsKey, ZInstanceEvent } from "../../instance-events/instance-events";
import { getLogger } from "../../logger";
import { isRecord } from "../../protocol/is-record";
import { META } from "../../protocol/mcp-protocol";
import { getRedis } from "../../redis";
import { followLog } from "../../redis/follow-log";
import { exposeUri } from "../aggregated-names";
import { answerBackendRequest } from "../answer-backend-request";
import type { TBackendChannel } from "../backend-channel";
import { publishSessionControl, sessionControlKey, ZSessionControl } from "../events/session-control";
import { readSessionSubscriptions } from "../events/session-subscriptions";
import { getBackendCapabilities } from "../get-backend-capabilities";
import type { TInstanceBackend } from "../get-instance-backends";
import { toAnswerableInput } from "../input/input-request";
import { fingerprintBackendSession, mintRelayedRequestId } from "../input/relayed-request-id";
import type { TJsonRpcMessage } from "../json-rpc-schemas";
import { backendsInScope, backendsWithTools, type TMcpRequestContext } from "../mcp-request-context";
import { mcpSessionKey } from "../mcp-session-schemas";
import { RETRY_MS } from "../relay/client-reply";
import { sessionEventId, sessionEventsKey, sessionStreamOwnerKey } from "../relay/stream-log-keys";
import { resolveBackendChannel } from "../resolve-backend-channel";
import { createToolChangeFilter } from "../tools/create-tool-change-filter";
import { withSessionStore } from "../with-session-store";
import { acquireStreamSlot } from "./acquire-stream-slot";
import { createCoalescer } from "./coalesce-repeats";
import { createEventStream } from "./create-event-stream";
import { followBackendFeed } from "./follow-backend-feed";
import { openLegacyBackendFeed } from "./open-legacy-backend-feed";
import { openModernBackendFeed } from "./open-modern-backend-feed";
import type { TSubscriptionFilter } from "./subscription-filter";
import { watchCredential } from "./watch-credential";

// A 2025 session's standing GET stream: what its servers say outside any request reaches the client
// here, from whichever app process holds the stream. Its producers write to the session's event log in
// Redis, and the stream sends the log as it grows, each event with its log id, so a client that
// reconnects with Last-Event-ID gets what it missed (MCP 2025-11-25 resumability) from any process:
// - each 2025 backend session of this Tumiki session, on its own GET stream: notifications, and
//   requests for the client (roots/list after a roots change, say), relayed with ids that say where
//   the answer goes (relayed-request-id.ts);
// - each 2026-07-28 backend on a subscriptions/listen stream: its list changes, and updates of the
//   resources this session subscribed to (reopened when the session's subscriptions change);
// - the instance's change log: changes seen in other processes, and of the instance itself; resource
//   updates only for resources this session subscribed to.
// A server's tool list change reaches the client only when what it would be shown of that server's
// tools differs from what it was shown (create-tool-change-filter.ts); a server the token covers only
// some tools of (tool scopes) is followed for its tool list changes alone.
// The stream ends when its credential is revoked or expires (watch-credential.ts).
// One stream per session: a newer GET takes over, and the older one ends at once (the session's control
// log tells it; its heartbeat notices too). The stream ends when the session does, and, on Vercel,
// before the function's maxDuration (the client reconnects after `retry`, from its last event). A
// client that drops the stream gets what happened meanwhile when it reconnects: the producers go on
// writing to the log for the grace period (MCP_STREAM_RESUME_GRACE_SECONDS).

const EVENTS_MAX = 1_000;
const EVENTS_TTL_MS = 10 * 60 * 1000;
const OWNER_TTL_MS = 45_000;
const HEARTBEAT_MS = 15_000;
const VERCEL_LIFETIME_MS = 290_000;

type TFeed = { backend: TInstanceBackend; restart?: () => void };

export async function openSessionStream({
  ctx,
  lastLogId,
}: {
  ctx: TMcpRequestContext;
  /** Resume after this entry of the session's event log (the client's Last-Event-ID). */
  lastLogId: string | null;
}): Promise<Response> {
  if (ctx.client.era !== "legacy") throw new Error("a session stream serves 2025 clients only");
  const client = ctx.client;
  const sessionKey = client.handle.key;
  const redis = getRedis();
  const owner = randomBytes(12).toString("base64url");
  const controlKey = sessionControlKey(sessionKey);
  const instanceKey = instanceEventsKey(ctx.instanceId);
  const eventsKey = sessionEventsKey(sessionKey);
  // Where each log stands before the client hears of the stream: nothing after this point is missed.
  const [controlAfter, instanceAfter, lastEntry] = await withSessionStore(() =>
    Promise.all([redis.lastLogId(controlKey), redis.lastLogId(instanceKey), redis.lastLogId(eventsKey)]),
  );
  const slot = await acquireStreamSlot({ userId: ctx.auth.userId });
  try {
    await withSessionStore(() => redis.set(sessionStreamOwnerKey(sessionKey), owner, { px: OWNER_TTL_MS }));
  } catch (error) {
    await slot.release();
    throw error;
  }
  // An older stream of this session, in whichever process, ends now rather than at its heartbeat.
  await publishSessionControl({ sessionKey, control: { type: "stream_taken", owner } });

  const stream = createEventStream({ kind: "session" });
  // The producers' end: another stream took over, the session ended, the client stayed away longer
  // than the grace period, or (on Vercel) the function's time is up. Until then they keep writing to
  // the log, so a client that drops and comes back misses nothing.
  const ended = new AbortController();
  const stop = AbortSignal.any([
    ended.signal,
    ...(getEnv().VERCEL ? [AbortSignal.timeout(VERCEL_LIFETIME_MS)] : []),
  ]);
  stream.closed.addEventListener(
    "abort",
    () => {
      const grace = setTimeout(() => ended.abort(), getEnv().MCP_STREAM_RESUME_GRACE_SECONDS * 1000);
      grace.unref?.();
      stop.addEventListener("abort", () => clearTimeout(grace), { once: true });
    },
    { once: true },
  );
  // A revoked or expired credential ends the producers too: nothing more is gathered for this client.
  watchCredential({ recheckAuth: ctx.recheckAuth, signal: stop, onRevoked: () => ended.abort() });
  const startAfter = lastLogId ?? lastEntry;
  stream.prime(sessionEventId(startAfter), RETRY_MS);

  const append = (message: unknown) =>
    redis.appendLog(eventsKey, JSON.stringify(message), { maxLen: EVENTS_MAX, ttlMs: EVENTS_TTL_MS });
  const produce = async (message: unknown) => {
    if (!stop.aborted) await append(message);
  };
  const coalescer = createCoalescer();
  // A change still waiting for its window is written even when the producers end (a newer stream took
  // over): that stream reads the same log and passes it on.
  stop.addEventListener("abort", () => coalescer.flush(), { once: true });
  const appendFailed = (error: unknown) =>
    getLogger().warn({ err: error }, "writing to a session's event log failed");
  /** A notification; change notifications repeated within the coalescing window go out once more at most. */
  const notify = async (method: string, params?: Record<string, unknown>) => {
    const message = { jsonrpc: "2.0", method, ...(params ? { params } : {}) };
    const isChange = method.endsWith("/list_changed") || method === "notifications/resources/updated";
    if (!isChange) return produce(message);
    const key = `${method} ${typeof params?.uri === "string" ? params.uri : ""}`;
    if (!stop.aborted) coalescer.coalesce(key, () => void append(message).catch(appendFailed));
  };
  const toolChanges = createToolChangeFilter({ ctx, signal: stop });
  const notifyToolsChanged = (params?: Record<string, unknown>) => () =>
    void notify("notifications/tools/list_changed", params).catch(appendFailed);

  const isSubscribed = async (backend: TInstanceBackend, uri: string) =>
    (await readSessionSubscriptions(sessionKey)).get(backend.mcpServerId)?.has(uri) ?? false;

  const onBackendMessage =
    (backend: TInstanceBackend, channel: TBackendChannel) => async (message: TJsonRpcMessage) => {
      const toolsOnly = !hasServerAccess(ctx.auth.scopes, backend.slug);
      if (message.kind === "request") {
        const input =
          channel.era === "legacy" && !toolsOnly
            ? toAnswerableInput(client.capabilities, message.message)
            : null;
        if (!input || channel.era !== "legacy") {
          answerBackendRequest({ channel, request: message.message });
          return;
        }
        const id = mintRelayedRequestId({
          userId: ctx.auth.userId,
          sessionKey,
          ref: {
            kind: "relay",
            serverId: backend.mcpServerId,
            backendSession: fingerprintBackendSession(channel.session.sessionId),
            backendId: message.message.id,
          },
        });
        await produce({ jsonrpc: "2.0", id, method: message.message.method, params: message.message.params });
        return;
      }
      if (message.kind !== "notification") return;
      const { method } = message.message;
      const params = { ...message.message.params };
      if (method === "notifications/subscriptions/acknowledged") return;
      if (isRecord(params._meta)) {
        const { [META.subscriptionId]: _listenId, ...meta } = params._meta;
        params._meta = meta;
        if (Object.keys(meta).length === 0) delete params._meta;
      }
      if (method === "notifications/tools/list_changed") {
        toolChanges.onChange(backend.mcpServerId, notifyToolsChanged(params));
        return;
      }
      if (toolsOnly) return;
      if (method === "notifications/resources/updated" && typeof params.uri === "string") {
        params.uri = exposeUri(ctx.backends, backend, params.uri);
      }
      await notify(method, params);
    };

  const startFeed = async (backend: TInstanceBackend): Promise<TFeed | null> => {
    const channel = await resolveBackendChannel({ userId: ctx.auth.userId, client, backend, signal: stop });
    if (channel.era === "legacy") {
      if (!channel.session.sessionId) return null;
      followBackendFeed({
        server: backend.slug,
        open: (lastEventId) => openLegacyBackendFeed({ channel, lastEventId, signal: stop }),
        signal: stop,
        onMessage: onBackendMessage(backend, channel),
      });
      return { backend };
    }
    // A 2026-07-28 backend: a listen stream whose filter follows the session's subscriptions.
    const capabilities = await getBackendCapabilities({ channel, signal: stop });
    const toolsOnly = !hasServerAccess(ctx.auth.scopes, backend.slug);
    let current = new AbortController();
    const listen = () => {
      const feedStop = AbortSignal.any([stop, current.signal]);
      followBackendFeed({
        server: backend.slug,
        open: async () => {
          const uris = [...((await readSessionSubscriptions(sessionKey)).get(backend.mcpServerId) ?? [])];
          const offers = (name: string) => isRecord(capabilities[name]) && (name === "tools" || !toolsOnly);
          const filter: TSubscriptionFilter = {
            ...(offers("tools") ? { toolsListChanged: true } : {}),
            ...(offers("prompts") ? { promptsListChanged: true } : {}),
            ...(offers("resources") ? { resourcesListChanged: true } : {}),
            ...(uris.length > 0 && !toolsOnly ? { resourceSubscriptions: uris } : {}),
          };
          return openModernBackendFeed({ channel, filter, signal: feedStop });
        },
        signal: feedStop,
        onMessage: onBackendMessage(backend, channel),
      });
    };
    listen();
    return {
      backend,
      restart: () => {
        current.abort();
        current = new AbortController();
        listen();
      },
    };
  };

  const run = async () => {
    const feeds = (
      await Promise.all(
        backendsWithTools(ctx).map((backend) =>
          startFeed(backend).catch((error: unknown) => {
            getLogger().warn(
              { err: error, server: backend.slug },
              "a backend's notifications are not followed",
            );
            return null;
          }),
        ),
      )
    ).filter((feed): feed is TFeed => feed !== null);

    // Changes of servers outside the token's scopes are none of this client's business.
    const inScope = backendsInScope(ctx);
    const followInstance = async () => {
      for await (const entry of followLog({ key: instanceKey, after: instanceAfter, signal: stop })) {
        const event = ZInstanceEvent.safeParse(JSON.parse(entry.value));
        if (!event.success) continue;
        const { serverId } = event.data;
        if (event.data.type === "list_changed" && event.data.list === "tools") {
          if (serverId !== undefined) {
            toolChanges.onChange(serverId, notifyToolsChanged());
            continue;
          }
          toolChanges.reset();
        }
        const backend = inScope.find((candidate) => candidate.mcpServerId === serverId);
        if (serverId !== undefined && !backend) continue;
        if (event.data.type === "list_changed") {
          await notify(`notifications/${event.data.list}/list_changed`);
          continue;
        }
        const { uri } = event.data;
        if (backend && (await isSubscribed(backend, uri))) {
          await notify("notifications/resources/updated", { uri: exposeUri(ctx.backends, backend, uri) });
        }
      }
    };
    const followControl = async () => {
      for await (const entry of followLog({ key: controlKey, after: controlAfter, signal: stop })) {
        const control = ZSessionControl.safeParse(JSON.parse(entry.value));
        if (!control.success) continue;
        const { data } = control;
        if (data.type === "subscriptions_changed") for (const feed of feeds) feed.restart?.();
        if (data.type === "session_ended") ended.abort();
        // Two GETs at once each announce themselves; the one the owner key names stays.
        if (data.type === "stream_taken" && data.owner !== owner) {
          const holder = await redis.get(sessionStreamOwnerKey(sessionKey)).catch(() => null);
          if (holder !== owner) ended.abort();
        }
      }
    };
    const heartbeat = setInterval(async () => {
      try {
        const [holder, session] = await Promise.all([
          redis.get(sessionStreamOwnerKey(sessionKey)),
          redis.get(mcpSessionKey(sessionKey)),
        ]);
        if (holder !== owner || session === null) ended.abort();
        else await redis.pexpire(sessionStreamOwnerKey(sessionKey), OWNER_TTL_MS);
      } catch (error) {
        getLogger().warn({ err: error }, "a session stream's heartbeat failed");
      }
    }, HEARTBEAT_MS);
    heartbeat.unref?.();

    const background = [followInstance(), followControl()].map((work) =>
      work.catch((error: unknown) => {
        if (!stop.aborted) getLogger().warn({ err: error }, "a session stream's follower failed");
      }),
    );
    try {
      for await (const entry of followLog({
        key: eventsKey,
        after: startAfter,
        signal: AbortSignal.any([stream.closed, stop]),
      })) {
        stream.send(JSON.parse(entry.value), sessionEventId(entry.id));
      }
    } catch {
      // The client went away (the producers go on for the grace period), or the stream ended.
    } finally {
      stream.close();
      await new Promise<void>((resolve) => {
        if (stop.aborted) resolve();
        else stop.addEventListener("abort", () => resolve(), { once: true });
      });
      clearInterval(heartbeat);
      await Promise.all(background);
      await redis.deleteIfEquals(sessionStreamOwnerKey(sessionKey), owner).catch(() => undefined);
      await slot.release();
    }
  };
  ctx.waitUntil(run());
  return stream.response;
}
