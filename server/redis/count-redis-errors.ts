import { redisErrors } from "../observability/tumiki-metrics";
import type { RedisStore } from "../redis";

// Every failed Redis operation counted once, where they all pass, whatever the caller then does with
// the error (many fail open: a rate limit, a cache read). The Lua calls of the rate limiter are left
// as they are: the library treats a missing script (NOSCRIPT) as routine and loads it.

function counted<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) =>
    call(...args).catch((error: unknown) => {
      redisErrors.inc();
      throw error;
    });
}

export function countRedisErrors(store: RedisStore): RedisStore {
  return {
    kind: store.kind,
    lua: store.lua,
    get: counted(store.get.bind(store)),
    set: counted(store.set.bind(store)),
    del: counted(store.del.bind(store)),
    incr: counted(store.incr.bind(store)),
    pexpire: counted(store.pexpire.bind(store)),
    pttl: counted(store.pttl.bind(store)),
    deleteIfEquals: counted(store.deleteIfEquals.bind(store)),
    appendLog: counted(store.appendLog.bind(store)),
    readLog: counted(store.readLog.bind(store)),
    lastLogId: counted(store.lastLogId.bind(store)),
    watchLog: counted(store.watchLog.bind(store)),
    deleteLog: counted(store.deleteLog.bind(store)),
    ping: counted(store.ping.bind(store)),
    close: store.close.bind(store),
  };
}
