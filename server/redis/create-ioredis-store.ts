import { Redis } from "ioredis";
import { getLogger } from "../logger";
import type { LuaEvaluator, RedisStore } from "../redis";
import { adaptLuaScript } from "./adapt-lua-script";
import { APPEND_LOG_SCRIPT } from "./append-log-script";
import { createLogWatchers } from "./create-log-watchers";
import { DELETE_IF_EQUALS_SCRIPT } from "./delete-if-equals-script";
import { assertPositiveInteger, parseLogId } from "./log-arguments";
import { logWakeChannel } from "./log-wake-channel";
import { type StreamReply, toLogEntries } from "./to-log-entries";

// A self-hosted Redis over TCP (REDIS_URL). Redis sits on the request path (rate limit on every MCP
// request, token cache), so an outage must cost a request milliseconds, not hang it:
// - no offline queue: while disconnected a command rejects at once instead of waiting for a reconnect,
//   and it is never replayed later (a stale SET NX would take a lock nobody holds);
// - no retry or resend of commands in flight when a connection drops (an INCR must not count twice);
// - short connect and command timeouts for a Redis that accepts connections but does not answer.
// ioredis keeps reconnecting in the background, so the store recovers by itself.
// Log watchers need a second connection (one in subscribe mode runs no other command): opened on the
// first watchLog and shared by every watcher in the process. After a reconnect the store subscribes the
// watched logs again itself: ioredis 5.8's own autoResubscribe leaves a failed SUBSCRIBE as an
// unhandled rejection, which ends a Node process (fixed upstream in redis/ioredis#2187).

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 1_500;

type Arg = string | number;

// Upstash serializes anything that is not a string, number or boolean as JSON; do the same so a
// script sees identical arguments on both backends.
const toArg = (value: unknown): Arg =>
  typeof value === "string" || typeof value === "number" ? value : JSON.stringify(value);

// ioredis emits "error" on every failed reconnect attempt; log the first of each outage only.
const reportOutages = (connection: Redis, consequence: string) => {
  let reportedOutage = false;
  connection.on("error", (error: Error) => {
    if (reportedOutage) return;
    reportedOutage = true;
    getLogger().warn({ err: error }, `Redis (REDIS_URL) is unreachable; ${consequence} until it is back`);
  });
  connection.on("ready", () => {
    reportedOutage = false;
  });
};

// Without an offline queue even the very first command would fail while the socket opens, so the
// first use waits for the connection to be ready, at most CONNECT_TIMEOUT_MS: connectTimeout covers
// only the TCP connect, not a server that accepts and then never answers the handshake. Later
// commands never wait; if the first connect failed, they fail at once until a reconnect succeeds.
const connectOnFirstUse = (connection: Redis) => {
  let firstConnect: Promise<void> | undefined;
  const waitForFirstConnect = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CONNECT_TIMEOUT_MS);
      timer.unref();
      connection
        .connect()
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(timer);
          resolve();
        });
    });
  return async () => {
    firstConnect ??= waitForFirstConnect();
    await firstConnect;
  };
};

// QUIT lets replies in flight arrive; when there is no connection, just stop reconnecting.
const closeConnection = async (connection: Redis) => {
  if (connection.status === "ready") {
    await connection.quit();
  } else {
    connection.disconnect();
  }
};

export function createIoredisStore(options: { url: string }): RedisStore {
  const client = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  });
  reportOutages(client, "commands fail");
  const connected = connectOnFirstUse(client);

  const call = async (command: string, args: Arg[]): Promise<unknown> => {
    await connected();
    return client.call(command, args);
  };

  let subscriber: { connection: Redis; connected: () => Promise<void> } | undefined;
  const getSubscriber = () => {
    if (!subscriber) {
      // Same options (no offline queue: a SUBSCRIBE during an outage fails at once, like any command).
      const connection = client.duplicate({ autoResubscribe: false });
      reportOutages(connection, "log watchers get no wakes");
      connection.on("message", (channel: string) => watchers.wake(channel));
      connection.on("ready", () => {
        const channels = watchers.channels();
        if (channels.length === 0) return;
        connection.subscribe(...channels).catch((error: unknown) => {
          getLogger().warn({ err: error }, "Could not subscribe log watchers again; they rely on polling");
        });
      });
      subscriber = { connection, connected: connectOnFirstUse(connection) };
    }
    return subscriber;
  };

  const watchers = createLogWatchers({
    async subscribe(channel) {
      const { connection, connected: subscriberConnected } = getSubscriber();
      await subscriberConnected();
      try {
        await connection.subscribe(channel);
      } catch (error) {
        // A SUBSCRIBE that timed out may still land; make sure it does not linger unwatched.
        connection.unsubscribe(channel).catch(() => undefined);
        throw error;
      }
    },
    unsubscribe(channel) {
      // When this fails the connection is down, and a new one subscribes only the watched logs.
      subscriber?.connection.unsubscribe(channel).catch(() => undefined);
    },
  });

  // Upstash sha (of the original script) → sha Redis cached for the adapted script. An unknown sha is
  // passed through, so Redis answers NOSCRIPT and @upstash/ratelimit falls back to eval.
  const localShas = new Map<string, string>();

  const lua: LuaEvaluator = {
    async eval(script, keys, args) {
      const adapted = adaptLuaScript(script);
      const result = await call("EVAL", [adapted.body, keys.length, ...keys, ...args.map(toArg)]);
      localShas.set(adapted.clientSha, adapted.localSha);
      return result;
    },
    async evalsha(sha, keys, args) {
      return call("EVALSHA", [localShas.get(sha) ?? sha, keys.length, ...keys, ...args.map(toArg)]);
    },
  };

  return {
    kind: "redis",
    lua,

    async get(key) {
      return (await call("GET", [key])) as string | null;
    },

    async set(key, value, setOptions = {}) {
      const args: Arg[] = [key, value];
      if (setOptions.px !== undefined) args.push("PX", setOptions.px);
      if (setOptions.nx) args.push("NX");
      return (await call("SET", args)) === "OK";
    },

    async del(...keys) {
      if (keys.length === 0) return 0;
      return (await call("DEL", keys)) as number;
    },

    async incr(key) {
      return (await call("INCR", [key])) as number;
    },

    async pexpire(key, ms) {
      return (await call("PEXPIRE", [key, ms])) === 1;
    },

    async pttl(key) {
      return (await call("PTTL", [key])) as number;
    },

    async deleteIfEquals(key, value) {
      return (await call("EVAL", [DELETE_IF_EQUALS_SCRIPT, 1, key, value])) === 1;
    },

    async appendLog(key, value, logOptions) {
      assertPositiveInteger("maxLen", logOptions.maxLen);
      assertPositiveInteger("ttlMs", logOptions.ttlMs);
      return (await call("EVAL", [
        APPEND_LOG_SCRIPT,
        1,
        key,
        logOptions.maxLen,
        value,
        logOptions.ttlMs,
        logWakeChannel(key),
      ])) as string;
    },

    async readLog(key, afterId, count) {
      parseLogId(afterId);
      assertPositiveInteger("count", count);
      return toLogEntries((await call("XRANGE", [key, `(${afterId}`, "+", "COUNT", count])) as StreamReply);
    },

    async lastLogId(key) {
      const [newest] = (await call("XREVRANGE", [key, "+", "-", "COUNT", 1])) as StreamReply;
      return newest?.[0] ?? "0";
    },

    async watchLog(key, onWake) {
      const unsubscribe = await watchers.watch(logWakeChannel(key), onWake);
      // A watcher that joins a log already watched in this process shares its subscription, which is
      // down during an outage: fail fast then, as every command does (it is subscribed again when back).
      if (subscriber?.connection.status !== "ready") {
        unsubscribe();
        throw new Error("Redis (REDIS_URL) is unreachable: the log cannot be watched now");
      }
      return unsubscribe;
    },

    async deleteLog(key) {
      await call("DEL", [key]);
    },

    async ping() {
      await call("PING", []);
    },

    async close() {
      watchers.clear();
      await Promise.all([
        closeConnection(client),
        ...(subscriber ? [closeConnection(subscriber.connection)] : []),
      ]);
    },
  };
}
