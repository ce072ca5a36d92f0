import { Redis } from "@upstash/redis";
import type { RedisStore } from "../redis";
import { APPEND_LOG_SCRIPT } from "./append-log-script";
import { createLogWatchers } from "./create-log-watchers";
import { DELETE_IF_EQUALS_SCRIPT } from "./delete-if-equals-script";
import { assertPositiveInteger, parseLogId } from "./log-arguments";
import { logWakeChannel } from "./log-wake-channel";
import { type StreamReply, toLogEntries } from "./to-log-entries";

// Upstash over its REST API: the production store on Vercel, where a function cannot keep a TCP
// connection. Client settings, and why:
// - automaticDeserialization off: the SDK would JSON.parse every value ("123" → 123, '{"a":1}' → an
//   object), and the RedisStore contract is strings in, strings out;
// - a per-request timeout and few retries: the SDK's default is 5 retries with exponential backoff
//   (~4 s) and no timeout, far too long for a check on the request path; the caller decides whether
//   a failure fails open or closed;
// - telemetry off: no SDK/platform headers to a third party.
// The default base64 response encoding is kept (it carries any byte sequence safely).
// Log watchers use the SDK's subscribe(): one streaming HTTP request (SSE) per watched log and process,
// shared by that log's watchers. The SDK does not reopen a stream that ends, so after a network drop
// a log's wakes stop until its watchers leave and a new one subscribes; readers poll anyway.

const REQUEST_TIMEOUT_MS = 2_000;
const RETRIES = 2;

export function createUpstashStore(options: { url: string; token: string }): RedisStore {
  const client = new Redis({
    url: options.url,
    token: options.token,
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: { retries: RETRIES, backoff: (attempt) => 50 * 2 ** attempt },
    signal: () => AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });

  const subscribers = new Map<string, ReturnType<typeof client.subscribe>>();
  const watchers = createLogWatchers({
    subscribe: (channel) =>
      new Promise<void>((resolve, reject) => {
        // The stream request takes its own abort signal, not the client's timeout (it would cut the
        // stream after 2 s), so waiting for the server's confirmation is bounded here.
        const subscriber = client.subscribe<string>(channel);
        subscribers.set(channel, subscriber);
        let settled = false;
        const fail = (error: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (subscribers.get(channel) === subscriber) subscribers.delete(channel);
          subscriber.unsubscribe().catch(() => undefined);
          reject(error);
        };
        const timer = setTimeout(
          () => fail(new Error(`Upstash did not confirm SUBSCRIBE within ${REQUEST_TIMEOUT_MS} ms`)),
          REQUEST_TIMEOUT_MS,
        );
        timer.unref();
        subscriber.on("error", fail);
        subscriber.on("subscribe", () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve();
        });
        subscriber.on("message", () => watchers.wake(channel));
      }),
    unsubscribe(channel) {
      subscribers
        .get(channel)
        ?.unsubscribe()
        .catch(() => undefined);
      subscribers.delete(channel);
    },
  });

  return {
    kind: "upstash",
    lua: client,

    async get(key) {
      return client.get<string>(key);
    },

    async set(key, value, setOptions = {}) {
      // The SDK's typed `set` takes a union of option shapes; the raw command is the same SET.
      const args: (string | number)[] = [key, value];
      if (setOptions.px !== undefined) args.push("PX", setOptions.px);
      if (setOptions.nx) args.push("NX");
      return (await client.exec<"OK" | null>(["SET", ...args])) === "OK";
    },

    async del(...keys) {
      if (keys.length === 0) return 0;
      return client.del(...keys);
    },

    async incr(key) {
      return client.incr(key);
    },

    async pexpire(key, ms) {
      return (await client.pexpire(key, ms)) === 1;
    },

    async pttl(key) {
      return client.pttl(key);
    },

    async deleteIfEquals(key, value) {
      return (await client.eval(DELETE_IF_EQUALS_SCRIPT, [key], [value])) === 1;
    },

    async appendLog(key, value, logOptions) {
      assertPositiveInteger("maxLen", logOptions.maxLen);
      assertPositiveInteger("ttlMs", logOptions.ttlMs);
      return (await client.eval(
        APPEND_LOG_SCRIPT,
        [key],
        [logOptions.maxLen, value, logOptions.ttlMs, logWakeChannel(key)],
      )) as string;
    },

    async readLog(key, afterId, count) {
      parseLogId(afterId);
      assertPositiveInteger("count", count);
      return toLogEntries(
        await client.exec<StreamReply>(["XRANGE", key, `(${afterId}`, "+", "COUNT", count]),
      );
    },

    async lastLogId(key) {
      const [newest] = await client.exec<StreamReply>(["XREVRANGE", key, "+", "-", "COUNT", 1]);
      return newest?.[0] ?? "0";
    },

    async watchLog(key, onWake) {
      return watchers.watch(logWakeChannel(key), onWake);
    },

    async deleteLog(key) {
      await client.del(key);
    },

    async ping() {
      await client.ping();
    },

    // Commands travel over plain HTTP requests; only log subscriptions hold a stream open.
    async close() {
      watchers.clear();
      const open = [...subscribers.values()];
      subscribers.clear();
      await Promise.all(open.map((subscriber) => subscriber.unsubscribe()));
    },
  };
}
