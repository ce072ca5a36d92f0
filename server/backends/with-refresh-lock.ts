import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { getDatabaseTarget, getDb } from "../db";
import { getLogger } from "../logger";
import { getRedis } from "../redis";
import { RefreshLockTimeoutError } from "./refresh-lock-timeout-error";

// A cross-process mutex per connection around a refresh (and a disconnect), so a rotating refresh
// token is sent once (Notion and the demo backend accept each one once; a second use is invalid_grant
// and, at some providers, revokes the grant), and a disconnect never runs beside a refresh whose new
// refresh token it would then throw away unrevoked. Redis first: `SET NX PX` with a random owner value,
// released only by its owner. When Redis cannot be reached, or none is configured (the in-memory
// store's lock holds in one process only, while several processes share the PostgreSQL database), a
// PostgreSQL advisory lock takes over: transaction-scoped, so it is released by COMMIT/ROLLBACK and by
// the server when the connection dies, and no pooled connection ever goes back to the pool still
// holding it (a session-level lock would need a dedicated connection and an explicit unlock on every
// path). The transaction stays open only while the holder works. The embedded database (PGlite) serves
// one process, so there an in-process queue is the lock.
//
// The holder gets a deadline LOCK_TTL_MS - SAFETY_MARGIN_MS after it took the lock and must finish by
// then, so the Redis lock cannot expire under a holder that is still working.

const LOCK_TTL_MS = 30_000;
const SAFETY_MARGIN_MS = 5_000;
/** A waiter gives up after this long: longer than a lock can live, so a dead holder never blocks it. */
const LOCK_WAIT_MS = LOCK_TTL_MS + 5_000;
const POLL_MS = 50;
// An advisory-lock holder keeps one pooled connection for its transaction (waiting in
// pg_advisory_xact_lock, then holding the lock) while `run`, a whole refresh or disconnect written
// against getDb(), queries on a second one; passing the transaction client through all of it is not
// worth it for a path taken only without Redis. With pg's default pool of 10, ten holders would take
// every connection and then wait forever for their second one. So at most this many transactions per
// process are open at once (2 connections each at most, 8 in all); further callers queue here, holding none.
const MAX_ADVISORY_HOLDERS = 4;

type TLockKind = "redis" | "postgres" | "process";
type TLockedWork<T> = (lock: { deadline: number; kind: TLockKind }) => Promise<T>;

const startHolding = (kind: TLockKind) => ({ deadline: Date.now() + LOCK_TTL_MS - SAFETY_MARGIN_MS, kind });

let advisoryHolders = 0;
const advisoryQueue: (() => void)[] = [];

async function takeAdvisorySlot(): Promise<() => void> {
  if (advisoryHolders < MAX_ADVISORY_HOLDERS) advisoryHolders += 1;
  else await new Promise<void>((resolve) => advisoryQueue.push(resolve));
  // The slot passes straight to the next waiter, if any.
  return () => {
    const next = advisoryQueue.shift();
    if (next) next();
    else advisoryHolders -= 1;
  };
}

async function withAdvisoryLock<T>(lockKey: string, giveUpAt: number, run: TLockedWork<T>): Promise<T> {
  const release = await takeAdvisorySlot();
  try {
    const waitMs = giveUpAt - Date.now();
    if (waitMs <= 0) throw new RefreshLockTimeoutError(lockKey);
    return await getDb().$transaction(
      async (tx) => {
        try {
          // lock_timeout bounds the wait; set_config because SET takes no bind parameters.
          await tx.$executeRaw`SELECT set_config('lock_timeout', ${String(Math.ceil(waitMs))}, true)`;
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`;
        } catch (error) {
          throw new RefreshLockTimeoutError(lockKey, error);
        }
        return run(startHolding("postgres"));
      },
      { maxWait: 10_000, timeout: waitMs + LOCK_TTL_MS + 10_000 },
    );
  } finally {
    release();
  }
}

const processTails = new Map<string, Promise<unknown>>();

/** The embedded database serves one process: a queue per key in memory is the lock. */
async function withProcessLock<T>(lockKey: string, run: TLockedWork<T>): Promise<T> {
  const previous = processTails.get(lockKey) ?? Promise.resolve();
  const work = previous.then(() => run(startHolding("process")));
  const tail = work.catch(() => undefined);
  processTails.set(lockKey, tail);
  try {
    return await work;
  } finally {
    if (processTails.get(lockKey) === tail) processTails.delete(lockKey);
  }
}

/** Runs `run` while holding the refresh lock of the user's connection to the server, waiting at most `waitMs` for it. */
export async function withRefreshLock<T>({
  userId,
  mcpServerId,
  run,
  waitMs = LOCK_WAIT_MS,
}: {
  userId: string;
  mcpServerId: string;
  run: TLockedWork<T>;
  waitMs?: number;
}): Promise<T> {
  const lockKey = `backend_token_lock:${userId}:${mcpServerId}`;
  const owner = randomBytes(16).toString("hex");
  const redis = getRedis();
  const giveUpAt = Date.now() + waitMs;
  if (redis.kind === "memory") {
    return getDatabaseTarget().kind === "pglite"
      ? withProcessLock(lockKey, run)
      : withAdvisoryLock(lockKey, giveUpAt, run);
  }
  try {
    while (!(await redis.set(lockKey, owner, { nx: true, px: LOCK_TTL_MS }))) {
      if (Date.now() >= giveUpAt) throw new RefreshLockTimeoutError(lockKey);
      await sleep(POLL_MS + Math.floor(Math.random() * POLL_MS));
    }
  } catch (error) {
    if (error instanceof RefreshLockTimeoutError) throw error;
    // A second connection to the embedded database would wait on the first.
    if (getDatabaseTarget().kind === "pglite") return withProcessLock(lockKey, run);
    getLogger().warn(
      { err: error },
      "Redis unreachable for the token refresh lock; using a PostgreSQL advisory lock",
    );
    return withAdvisoryLock(lockKey, giveUpAt, run);
  }
  try {
    return await run(startHolding("redis"));
  } finally {
    await redis.deleteIfEquals(lockKey, owner).catch((error: unknown) => {
      // The lock then ends with its expiry.
      getLogger().warn({ err: error }, "token refresh lock could not be released");
    });
  }
}
