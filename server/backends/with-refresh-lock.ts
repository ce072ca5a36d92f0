import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { getDatabaseTarget, getDb } from "../db";
import { AppError } from "../errors";
import { getLogger } from "../logger";
import { getRedis } from "../redis";

// A cross-process mutex around one refresh, so a rotating refresh token is sent once (Notion and the
// demo backend accept each one once; a second use is invalid_grant and, at some providers, revokes the
// grant). Redis first: `SET NX PX` with a random owner value, released only by its owner. When Redis
// cannot be reached, a PostgreSQL advisory lock takes over: transaction-scoped, so it is released by
// COMMIT/ROLLBACK and by the server when the connection dies, and no pooled connection ever goes back
// to the pool still holding it (a session-level lock would need a dedicated connection and an explicit
// unlock on every path). The transaction stays open only while the holder works.
//
// The holder gets a deadline LOCK_TTL_MS - SAFETY_MARGIN_MS after it took the lock and must finish by
// then, so the Redis lock cannot expire under a holder that is still working.

export const LOCK_TTL_MS = 30_000;
const SAFETY_MARGIN_MS = 5_000;
/** A waiter gives up after this long: longer than a lock can live, so a dead holder never blocks it. */
export const LOCK_WAIT_MS = LOCK_TTL_MS + 5_000;
const POLL_MS = 50;

export class RefreshLockTimeoutError extends AppError {
  constructor(key: string, cause?: unknown) {
    super("UNAVAILABLE", {
      message: `timed out waiting for the refresh lock of ${key}`,
      userMessage: "The server's token is being refreshed. Try again shortly.",
      cause,
    });
    this.name = "RefreshLockTimeoutError";
  }
}

type TLockedWork<T> = (lock: { deadline: number; kind: "redis" | "postgres" | "process" }) => Promise<T>;

async function withAdvisoryLock<T>(lockKey: string, waitMs: number, run: TLockedWork<T>): Promise<T> {
  return getDb().$transaction(
    async (tx) => {
      try {
        // lock_timeout bounds the wait; set_config because SET takes no bind parameters.
        await tx.$executeRaw`SELECT set_config('lock_timeout', ${String(Math.max(1, Math.ceil(waitMs)))}, true)`;
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`;
      } catch (error) {
        throw new RefreshLockTimeoutError(lockKey, error);
      }
      return run({ deadline: Date.now() + LOCK_TTL_MS - SAFETY_MARGIN_MS, kind: "postgres" });
    },
    { maxWait: 10_000, timeout: waitMs + LOCK_TTL_MS + 10_000 },
  );
}

/** Runs `run` while holding the refresh lock of `key`, waiting at most `waitMs` for it. */
export async function withRefreshLock<T>({
  key,
  run,
  waitMs = LOCK_WAIT_MS,
}: {
  key: string;
  run: TLockedWork<T>;
  waitMs?: number;
}): Promise<T> {
  const lockKey = `backend_token_lock:${key}`;
  const owner = randomBytes(16).toString("hex");
  const redis = getRedis();
  const giveUpAt = Date.now() + waitMs;
  try {
    while (!(await redis.set(lockKey, owner, { nx: true, px: LOCK_TTL_MS }))) {
      if (Date.now() >= giveUpAt) throw new RefreshLockTimeoutError(lockKey);
      await sleep(POLL_MS + Math.floor(Math.random() * POLL_MS));
    }
  } catch (error) {
    if (error instanceof RefreshLockTimeoutError) throw error;
    // The embedded database serves one process, whose callers the in-process single flight already
    // serialises; a second connection to it would wait on the first.
    if (getDatabaseTarget().kind === "pglite") {
      return run({ deadline: Date.now() + LOCK_TTL_MS - SAFETY_MARGIN_MS, kind: "process" });
    }
    getLogger().warn(
      { err: error },
      "Redis unreachable for the token refresh lock; using a PostgreSQL advisory lock",
    );
    return withAdvisoryLock(lockKey, Math.max(1, giveUpAt - Date.now()), run);
  }
  try {
    return await run({ deadline: Date.now() + LOCK_TTL_MS - SAFETY_MARGIN_MS, kind: "redis" });
  } finally {
    await redis.deleteIfEquals(lockKey, owner).catch((error: unknown) => {
      // The lock then ends with its expiry.
      getLogger().warn({ err: error }, "token refresh lock could not be released");
    });
  }
}
