import { getRedis, type RedisLogEntry } from "../redis";

// The entries of a Redis log after a given id, yielded as they are appended by any app process, until
// the signal aborts. A wake-up (watchLog) makes a new entry arrive at once; the poll behind it only
// covers a wake-up lost to a Redis hiccup. Ends by throwing the signal's reason.

const POLL_MS = 2_000;
const PAGE = 100;

export async function* followLog({
  key,
  after,
  signal,
}: {
  key: string;
  /** Yield the entries after this id ("0": from the start). */
  after: string;
  signal: AbortSignal;
}): AsyncGenerator<RedisLogEntry> {
  let woken = false;
  let wake: (() => void) | undefined;
  const unwatch = await getRedis().watchLog(key, () => {
    woken = true;
    wake?.();
  });
  try {
    let cursor = after;
    for (;;) {
      signal.throwIfAborted();
      woken = false;
      const entries = await getRedis().readLog(key, cursor, PAGE);
      for (const entry of entries) {
        cursor = entry.id;
        yield entry;
      }
      if (entries.length === PAGE || woken) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, POLL_MS);
        signal.addEventListener("abort", done, { once: true });
        wake = done;
      });
    }
  } finally {
    unwatch();
  }
}
