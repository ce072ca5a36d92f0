import { Redis } from "ioredis";
import { getLogger } from "../logger";
import type { LuaEvaluator, RedisStore } from "../redis";
import { adaptLuaScript } from "./adapt-lua-script";
import { DELETE_IF_EQUALS_SCRIPT } from "./delete-if-equals-script";

// A self-hosted Redis over TCP (REDIS_URL). Redis sits on the request path (rate limit on every MCP
// request, token cache), so an outage must cost a request milliseconds, not hang it:
// - no offline queue: while disconnected a command rejects at once instead of waiting for a reconnect,
//   and it is never replayed later (a stale SET NX would take a lock nobody holds);
// - no retry or resend of commands in flight when a connection drops (an INCR must not count twice);
// - short connect and command timeouts for a Redis that accepts connections but does not answer.
// ioredis keeps reconnecting in the background, so the store recovers by itself.

const CONNECT_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 1_500;

type Arg = string | number;

// Upstash serializes anything that is not a string, number or boolean as JSON; do the same so a
// script sees identical arguments on both backends.
const toArg = (value: unknown): Arg =>
  typeof value === "string" || typeof value === "number" ? value : JSON.stringify(value);

export function createIoredisStore(options: { url: string }): RedisStore {
  const client = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
  });

  // ioredis emits "error" on every failed reconnect attempt; log the first of each outage only.
  let reportedOutage = false;
  client.on("error", (error: Error) => {
    if (reportedOutage) return;
    reportedOutage = true;
    getLogger().warn({ err: error }, "Redis (REDIS_URL) is unreachable; commands fail until it is back");
  });
  client.on("ready", () => {
    reportedOutage = false;
  });

  // Without an offline queue even the very first command would fail while the socket opens, so the
  // first use waits for the connection to be ready, at most CONNECT_TIMEOUT_MS: connectTimeout covers
  // only the TCP connect, not a server that accepts and then never answers the handshake. Later
  // commands never wait; if the first connect failed, they fail at once until a reconnect succeeds.
  let firstConnect: Promise<void> | undefined;
  const waitForFirstConnect = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CONNECT_TIMEOUT_MS);
      timer.unref();
      client
        .connect()
        .catch(() => undefined)
        .finally(() => {
          clearTimeout(timer);
          resolve();
        });
    });
  const connected = async () => {
    firstConnect ??= waitForFirstConnect();
    await firstConnect;
  };

  const call = async (command: string, args: Arg[]): Promise<unknown> => {
    await connected();
    return client.call(command, args);
  };

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

    async ping() {
      await call("PING", []);
    },

    async close() {
      // QUIT lets replies in flight arrive; when there is no connection, just stop reconnecting.
      if (client.status === "ready") {
        await client.quit();
      } else {
        client.disconnect();
      }
    },
  };
}
