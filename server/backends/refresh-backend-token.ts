import { setTimeout as sleep } from "node:timers/promises";
import { writeAuditEvent } from "../audit/write-audit-event";
import { getDb } from "../db";
import { AppError } from "../errors";
import { Prisma } from "../generated/prisma/client";
import { getLogger } from "../logger";
import { backendTokenRefreshes } from "../observability/tumiki-metrics";
import { assertStoredTokenValid } from "./assert-stored-token-valid";
import { type TBackendAccessToken, toBackendAccessToken } from "./backend-access-token";
import { cacheToken, invalidateCachedToken, readCacheGeneration } from "./backend-token-cache";
import { BackendTokenError } from "./backend-token-error";
import { getStoredBackendTokenOrThrow, type TStoredBackendToken } from "./get-stored-backend-token-or-throw";
import { isExpiringSoon } from "./is-expiring-soon";
import { isRefreshBackingOff } from "./is-refresh-backing-off";
import { ReAuthRequiredError } from "./re-auth-required-error";
import { requestBackendToken, type TBackendTokenResponse } from "./request-backend-token";
import { revokeBackendToken } from "./revoke-backend-token";
import { withRefreshLock } from "./with-refresh-lock";

// Refreshes a user's backend token, once across every process (DESIGN.md tier 2, plan task 2.3):
// callers in this process share one promise per connection; processes share a lock; whoever gets the
// lock re-reads the row first and returns a token another process has refreshed meanwhile. A rotated
// refresh token is saved in the same UPDATE as its access token, so a crash can never leave a used
// refresh token behind as the current one. Every write to the row is a compare-and-set on the
// `updatedAt` read under the lock: a reconnect (or a refresh by a process that could not see the lock)
// that replaced the row meanwhile wins, and the current row is the answer.
//
// A refresh token is sent again only when the first request provably was not processed (connection
// refused, name not resolved, 503, 429). After a timeout, a reset connection or a 500/502/504 the AS
// may have used it already: at many providers a refresh token is single-use, and presenting a used one
// revokes the whole grant (RFC 9700 §4.14.2; oidc-provider does this), so a retry would turn a blip
// into a forced reconnect. Tumiki then keeps the current access token while it lasts, and for
// REFRESH_BACKOFF_MS after any failed refresh that left the grant valid (these, and retries exhausted)
// no process asks the AS again, unless the token has expired or the user forces a refresh
// (is-refresh-backing-off.ts). A token the AS issued but that could not be
// saved because the row changed meanwhile is audited as "superseded"; see discardSupersededToken.

const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BASE_DELAY_MS = 200;
const REQUEST_TIMEOUT_MS = 10_000;
/** A Retry-After longer than this ends the retries: a proxied request is waiting for the token. */
const MAX_RETRY_DELAY_MS = 2_000;
/** An attempt with less time than this before the lock deadline is not started. */
const MIN_ATTEMPT_MS = 1_000;
/** Errors by which the authorization server says the grant (or our client) is gone for good. */
const GRANT_GONE = new Set(["invalid_grant", "invalid_client", "unauthorized_client"]);

const inFlight = new Map<string, Promise<TBackendAccessToken>>();

type TRefreshContext = {
  userId: string;
  mcpServerId: string;
  force: boolean;
  /** With force: the access token a backend refused; a stored token that differs is already fresh. */
  rejectedAccessToken?: string;
  attempts: number;
  baseDelayMs: number;
  timeoutMs: number;
};

const isExpired = (expiresAt: Date | null) => isExpiringSoon({ expiresAt, bufferMs: 0 });

function auditRefreshFailure(
  context: TRefreshContext,
  reason: string,
  detail: { refreshCount: number; attempts: number } & Record<string, unknown>,
) {
  writeAuditEvent({
    eventType: "backend.token_refresh_failed",
    outcome: "FAILURE",
    actorUserId: context.userId,
    mcpServerId: context.mcpServerId,
    reason,
    detail: { ...detail, forced: context.force },
  });
}

/** The row as it is now, after a write found it changed since it was read. */
async function readCurrentToken(context: TRefreshContext): Promise<TBackendAccessToken> {
  const current = await getStoredBackendTokenOrThrow(context);
  assertStoredTokenValid(current);
  return toBackendAccessToken(current.token);
}

/** Marks the grant gone and throws ReAuthRequiredError, unless the row changed since it was read. */
async function markGrantGone(
  context: TRefreshContext,
  stored: TStoredBackendToken,
  reason: string,
  attempts: number,
): Promise<TBackendAccessToken> {
  const marked = await getDb().$transaction(async (tx) => {
    const { count } = await tx.oAuthToken.updateMany({
      where: { id: stored.token.id, updatedAt: stored.token.updatedAt },
      data: { isValid: false, lastError: reason },
    });
    if (count === 1) {
      await tx.userMcpConfig.update({ where: { id: stored.connectionId }, data: { status: "NEEDS_REAUTH" } });
    }
    return count === 1;
  });
  if (!marked) return readCurrentToken(context);
  await invalidateCachedToken(context);
  auditRefreshFailure(context, reason, {
    refreshCount: stored.token.refreshCount,
    attempts,
    reauthRequired: true,
  });
  throw new ReAuthRequiredError({
    mcpServerId: context.mcpServerId,
    serverName: stored.server.name,
    reason,
  });
}

/**
 * The AS issued a token but the row changed since it was read (a reconnect, a disconnect, a removed
 * server, or a refresh by a process that could not see the lock): the row wins and the new token is
 * dropped. The drop is audited, and a new refresh token is revoked at the backend when the row is gone:
 * the user ended the connection, as a disconnect would have. While the row exists it is not revoked,
 * since revoking a refresh token may end every token of its grant (RFC 7009 §2.1 allows it;
 * oidc-provider revokes the whole grant), which can include the tokens that replaced it; nobody holds
 * the dropped one (it is never stored or logged). Revocation runs in the background and its failures are only
 * logged.
 */
async function discardSupersededToken(
  context: TRefreshContext,
  stored: TStoredBackendToken,
  response: TBackendTokenResponse,
  attempts: number,
): Promise<TBackendAccessToken> {
  const current = await getDb().oAuthToken.findUnique({
    where: { id: stored.token.id },
    select: { id: true },
  });
  const revoke =
    current === null &&
    response.refreshToken !== undefined &&
    response.refreshToken !== stored.token.refreshToken &&
    stored.client.revocationEndpoint !== null;
  auditRefreshFailure(context, "superseded", {
    refreshCount: stored.token.refreshCount,
    attempts,
    connectionGone: current === null,
    revokingDiscarded: revoke,
  });
  if (revoke && response.refreshToken) {
    revokeBackendToken({
      client: stored.client,
      token: response.refreshToken,
      tokenTypeHint: "refresh_token",
    }).catch((error: unknown) => {
      getLogger().warn(
        { err: error, mcpServerId: context.mcpServerId },
        "revoking a superseded backend refresh token failed",
      );
    });
  }
  return readCurrentToken(context);
}

async function saveRefreshedToken(
  context: TRefreshContext,
  stored: TStoredBackendToken,
  response: TBackendTokenResponse,
  meta: { attempts: number; lock: string; generation: string | null },
): Promise<TBackendAccessToken> {
  const now = new Date();
  const rotated = response.refreshToken !== undefined && response.refreshToken !== stored.token.refreshToken;
  let saved: {
    accessToken: string;
    tokenType: string;
    expiresAt: Date | null;
    scope: string | null;
    refreshCount: number;
  };
  try {
    saved = await getDb().oAuthToken.update({
      where: { id: stored.token.id, updatedAt: stored.token.updatedAt },
      data: {
        accessToken: response.accessToken,
        tokenType: response.tokenType,
        // Without a new refresh token the AS keeps the old one valid (RFC 6749 §6).
        ...(response.refreshToken ? { refreshToken: response.refreshToken } : {}),
        expiresAt:
          response.expiresIn === undefined ? null : new Date(now.getTime() + response.expiresIn * 1000),
        scope: response.scope ?? stored.token.scope,
        refreshCount: { increment: 1 },
        lastRefreshedAt: now,
        isValid: true,
        lastError: null,
      },
    });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025")) throw error;
    return discardSupersededToken(context, stored, response, meta.attempts);
  }
  const token = toBackendAccessToken(saved);
  await cacheToken({ ...context, token, generation: meta.generation });
  writeAuditEvent({
    eventType: "backend.token_refreshed",
    outcome: "SUCCESS",
    actorUserId: context.userId,
    mcpServerId: context.mcpServerId,
    detail: {
      refreshCount: saved.refreshCount,
      rotated,
      attempts: meta.attempts,
      forced: context.force,
      lock: meta.lock,
    },
  });
  return token;
}

async function refreshWithRetries(
  context: TRefreshContext,
  stored: TStoredBackendToken,
  refreshToken: string,
  lock: { deadline: number; kind: string; generation: string | null },
): Promise<TBackendAccessToken> {
  const { token, client, server } = stored;
  const params = {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    // RFC 8707: the token stays bound to this backend. No `scope`: omitted means the scope granted
    // originally (RFC 6749 §6), which is all Tumiki ever asks for.
    resource: client.resourceIndicator ?? server.url,
  };
  let attempts = 0;
  let failure: BackendTokenError;
  for (;;) {
    attempts += 1;
    try {
      const timeoutMs = Math.min(context.timeoutMs, lock.deadline - Date.now());
      const response = await requestBackendToken({ client, params, timeoutMs });
      backendTokenRefreshes.inc({ outcome: "success" });
      return await saveRefreshedToken(context, stored, response, {
        attempts,
        lock: lock.kind,
        generation: lock.generation,
      });
    } catch (error) {
      if (!(error instanceof BackendTokenError)) throw error;
      failure = error;
    }
    if (!failure.notProcessed || attempts >= context.attempts) break;
    const delay = Math.max(context.baseDelayMs * 2 ** (attempts - 1), failure.retryAfterMs ?? 0);
    if (delay > MAX_RETRY_DELAY_MS || Date.now() + delay + MIN_ATTEMPT_MS > lock.deadline) break;
    await sleep(delay);
  }

  const goneError = failure.oauthError && GRANT_GONE.has(failure.oauthError) ? failure.oauthError : undefined;
  backendTokenRefreshes.inc({ outcome: goneError ? "invalid_grant" : "transient_failure" });
  if (goneError) return markGrantGone(context, stored, goneError, attempts);

  const { count } = await getDb().oAuthToken.updateMany({
    where: { id: token.id, updatedAt: token.updatedAt },
    data: { lastError: failure.reason },
  });
  if (count === 0) return readCurrentToken(context);
  const keepCurrent = !isExpired(token.expiresAt);
  auditRefreshFailure(context, failure.reason, {
    refreshCount: token.refreshCount,
    attempts,
    retryable: failure.retryable,
    status: failure.responseStatus,
    keptCurrentAccess: keepCurrent,
  });
  // Until it expires, the current token still works: a backend's AS outage should not take its tools down.
  if (keepCurrent) return toBackendAccessToken(token);
  throw new AppError("UNAVAILABLE", {
    message: `refresh of the token for server ${context.mcpServerId} failed after ${attempts} attempt(s): ${failure.reason}`,
    userMessage: failure.retryable
      ? `${server.name} could not refresh its token: its authorization server did not answer. Try again shortly.`
      : `${server.name} could not refresh its token: its authorization server refused the request (${failure.reason}).`,
    cause: failure,
  });
}

async function refreshUnderLock(context: TRefreshContext): Promise<TBackendAccessToken> {
  // With force, "refreshed by someone else" means the token differs from the one the backend refused,
  // or else from the one this call started with: N callers refused at once cause one refresh, not N.
  const startedWith = context.force
    ? (context.rejectedAccessToken ?? (await getStoredBackendTokenOrThrow(context)).token.accessToken)
    : undefined;
  return withRefreshLock({
    userId: context.userId,
    mcpServerId: context.mcpServerId,
    run: async (lock) => {
      // Before the read whose result gets cached: see backend-token-cache.ts.
      const generation = await readCacheGeneration(context);
      const stored = await getStoredBackendTokenOrThrow(context);
      assertStoredTokenValid(stored);
      const { token, server } = stored;
      const alreadyFresh = context.force
        ? token.accessToken !== startedWith
        : !isExpiringSoon({ expiresAt: token.expiresAt });
      if (alreadyFresh) {
        const fresh = toBackendAccessToken(token);
        await cacheToken({ ...context, token: fresh, generation });
        return fresh;
      }
      // Another caller's refresh failed moments ago; "Refresh now" (force) was asked for and tries anyway.
      if (!context.force && isRefreshBackingOff({ token })) return toBackendAccessToken(token);
      if (!token.refreshToken) {
        // Nothing to refresh with: the token serves until it expires, then only reconnecting helps.
        if (!context.force && !isExpired(token.expiresAt)) return toBackendAccessToken(token);
        if (isExpired(token.expiresAt)) return markGrantGone(context, stored, "no_refresh_token", 0);
        throw new ReAuthRequiredError({
          mcpServerId: context.mcpServerId,
          serverName: server.name,
          reason: "no_refresh_token",
        });
      }
      return refreshWithRetries(context, stored, token.refreshToken, { ...lock, generation });
    },
  });
}

/**
 * A fresh access token for the user's connection to the server: refreshed when it expires within the
 * buffer (always with `force`), else the current one. Throws ReAuthRequiredError when the grant is
 * gone, AppError UNAVAILABLE when the AS cannot refresh an already expired token.
 */
export function refreshBackendToken({
  userId,
  mcpServerId,
  force = false,
  rejectedAccessToken,
  retry = {},
}: {
  userId: string;
  mcpServerId: string;
  force?: boolean;
  /** With force: the token a backend answered 401 to (the MCP proxy); see TRefreshContext. */
  rejectedAccessToken?: string;
  /**
   * Tuning, for tests: requests at most (default 3), the first retry's delay, doubled for each further one
   * (default 200 ms), and the timeout of one request (default 10 s).
   */
  retry?: { attempts?: number; baseDelayMs?: number; timeoutMs?: number };
}): Promise<TBackendAccessToken> {
  const key = `${userId}:${mcpServerId}`;
  const running = inFlight.get(key);
  if (running) return running;
  const refresh = refreshUnderLock({
    userId,
    mcpServerId,
    force,
    rejectedAccessToken,
    attempts: retry.attempts ?? DEFAULT_ATTEMPTS,
    baseDelayMs: retry.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
    timeoutMs: retry.timeoutMs ?? REQUEST_TIMEOUT_MS,
  }).finally(() => inFlight.delete(key));
  inFlight.set(key, refresh);
  return refresh;
}
