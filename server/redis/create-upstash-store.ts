import { Redis } from "@upstash/redis";
import type { RedisStore } from "../redis";
import { DELETE_IF_EQUALS_SCRIPT } from "./delete-if-equals-script";

// Upstash over its REST API: the production store on Vercel, where a function cannot keep a TCP
// connection. Client settings, and why:
// - automaticDeserialization off: the SDK would JSON.parse every value ("123" → 123, '{"a":1}' → an
//   object), and the RedisStore contract is strings in, strings out;
// - a per-request timeout and few retries: the SDK's default is 5 retries with exponential backoff
//   (~4 s) and no timeout, far too long for a check on the request path; the caller decides whether
//   a failure fails open or closed;
// - telemetry off: no SDK/platform headers to a third party.
// The default base64 response encoding is kept (it carries any byte sequence safely).

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

    async ping() {
      await client.ping();
    },

    // HTTP needs no connection to close.
    async close() {},
  };
}
