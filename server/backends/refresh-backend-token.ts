import { setTimeout as sleep } from "node:timers/promises";
import { writeAuditEvent } from "../audit/write-audit-event";
import { getDb } from "../db";
import { AppError } from "../errors";
import { Prisma } from "../generated/prisma/client";
import { type TBackendAccessToken, toBackendAccessToken } from "./backend-access-token";
import { cacheToken, invalidateCachedToken } from "./backend-token-cache";
import { BackendTokenError } from "./backend-token-error";
import { getStoredBackendTokenOrThrow, type TStoredBackendToken } from "./get-stored-backend-token-or-throw";
import { isExpiringSoon } from "./is-expiring-soon";
import { ReAuthRequiredError } from "./re-auth-required-error";
import { requestBackendToken, type TBackendTokenResponse } from "./request-backend-token";
import { withRefreshLock } from "./with-refresh-lock";

// Refreshes a user's backend token, once across every process (DESIGN.md tier 2, plan task 2.3):
// callers in this process share one promise per connection; processes share a lock; whoever gets the
// lock re-reads the row first and returns a token another process has refreshed meanwhile. A rotated
// refresh token is saved in the same UPDATE as its access token, so a crash can never leave a used
// refresh token behind as the current one.

export type TRefreshRetryOptions = {
  /** Requests at most (the first included). Default 3. */
  attempts?: number;
  /** Delay before the second request, doubled for each further one. Default 200 ms. */
  baseDelayMs?: number;
};

const DEFAULT_ATTEMPTS = 3;
const DEFAULT_BASE_DELAY_MS = 200;
const REQUEST_TIMEOUT_MS = 10_000;
/** An attempt with less time than this before the lock deadline is not started. */
const MIN_ATTEMPT_MS = 1_000;
/** Errors by which the authorization server says the grant (or our client) is gone for good. */
const GRANT_GONE = new Set(["invalid_grant", "invalid_client", "unauthorized_client"]);

const inFlight = new Map<string, Promise<TBackendAccessToken>>();

type TRefreshContext = {
  userId: string;
  mcpServerId: string;
  force: boolean;
  attempts: number;
  baseDelayMs: number;
};

const isExpired = (expiresAt: Date | null) => isExpiringSoon({ expiresAt, bufferMs: 0 });

async function markGrantGone(
  context: TRefreshContext,
  stored: TStoredBackendToken,
  reason: string,
  attempts: number,
) {
  const db = getDb();
  await db.$transaction([
    db.oAuthToken.update({ where: { id: stored.token.id }, data: { isValid: false, lastError: reason } }),
    db.userMcpConfig.update({ where: { id: stored.connectionId }, data: { status: "NEEDS_REAUTH" } }),
  ]);
  await invalidateCachedToken(context);
  writeAuditEvent({
    eventType: "backend.token_refresh_failed",
    outcome: "FAILURE",
    actorUserId: context.userId,
    mcpServerId: context.mcpServerId,
    reason,
    detail: {
      refreshCount: stored.token.refreshCount,
      attempts,
      forced: context.force,
      reauthRequired: true,
    },
  });
  return new ReAuthRequiredError({
    mcpServerId: context.mcpServerId,
    serverName: stored.server.name,
    reason,
  });
}

async function saveRefreshedToken(
  context: TRefreshContext,
  stored: TStoredBackendToken,
  response: TBackendTokenResponse,
  meta: { attempts: number; lock: string },
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
      // `updatedAt` makes this a compare-and-set: a reconnect that replaced the row meanwhile wins.
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
    const current = await getStoredBackendTokenOrThrow(context);
    if (!current.token.isValid) {
      throw new ReAuthRequiredError({
        mcpServerId: context.mcpServerId,
        serverName: current.server.name,
        reason: current.token.lastError ?? "invalid",
      });
    }
    return toBackendAccessToken(current.token);
  }
  const token = toBackendAccessToken(saved);
  await cacheToken({ ...context, token });
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
  lock: { deadline: number; kind: string },
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
      const timeoutMs = Math.min(REQUEST_TIMEOUT_MS, lock.deadline - Date.now());
      const response = await requestBackendToken({ client, params, timeoutMs });
      return await saveRefreshedToken(context, stored, response, { attempts, lock: lock.kind });
    } catch (error) {
      if (!(error instanceof BackendTokenError)) throw error;
      failure = error;
    }
    const delay = context.baseDelayMs * 2 ** (attempts - 1);
    const outOfTime = Date.now() + delay + MIN_ATTEMPT_MS > lock.deadline;
    if (!failure.retryable || attempts >= context.attempts || outOfTime) break;
    await sleep(delay);
  }

  if (failure.oauthError && GRANT_GONE.has(failure.oauthError)) {
    // Only a process that could not see the lock (Redis unreachable to it alone) may have used this
    // refresh token too; if it saved a newer token, the grant is fine and that token is the answer.
    const current = await getStoredBackendTokenOrThrow(context);
    if (current.token.isValid && current.token.refreshToken !== refreshToken) {
      return toBackendAccessToken(current.token);
    }
    throw await markGrantGone(context, stored, failure.oauthError, attempts);
  }

  const keepCurrent = !isExpired(token.expiresAt);
  await getDb().oAuthToken.update({ where: { id: token.id }, data: { lastError: failure.reason } });
  writeAuditEvent({
    eventType: "backend.token_refresh_failed",
    outcome: "FAILURE",
    actorUserId: context.userId,
    mcpServerId: context.mcpServerId,
    reason: failure.reason,
    detail: {
      refreshCount: token.refreshCount,
      attempts,
      forced: context.force,
      retryable: failure.retryable,
      status: failure.responseStatus,
      keptCurrentAccess: keepCurrent,
    },
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
  // With force, "refreshed by someone else" means the token differs from the one this call started with.
  const startedWith = context.force
    ? (await getStoredBackendTokenOrThrow(context)).token.accessToken
    : undefined;
  return withRefreshLock({
    key: `${context.userId}:${context.mcpServerId}`,
    run: async (lock) => {
      const stored = await getStoredBackendTokenOrThrow(context);
      const { token, server } = stored;
      if (!token.isValid) {
        throw new ReAuthRequiredError({
          mcpServerId: context.mcpServerId,
          serverName: server.name,
          reason: token.lastError ?? "invalid",
        });
      }
      const alreadyFresh = context.force
        ? token.accessToken !== startedWith
        : !isExpiringSoon({ expiresAt: token.expiresAt });
      if (alreadyFresh) {
        const fresh = toBackendAccessToken(token);
        await cacheToken({ ...context, token: fresh });
        return fresh;
      }
      if (!token.refreshToken) {
        // Nothing to refresh with: the token serves until it expires, then only reconnecting helps.
        if (!context.force && !isExpired(token.expiresAt)) return toBackendAccessToken(token);
        if (isExpired(token.expiresAt)) throw await markGrantGone(context, stored, "no_refresh_token", 0);
        throw new ReAuthRequiredError({
          mcpServerId: context.mcpServerId,
          serverName: server.name,
          reason: "no_refresh_token",
        });
      }
      return refreshWithRetries(context, stored, token.refreshToken, lock);
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
  retry = {},
}: {
  userId: string;
  mcpServerId: string;
  force?: boolean;
  retry?: TRefreshRetryOptions;
}): Promise<TBackendAccessToken> {
  const key = `${userId}:${mcpServerId}`;
  const running = inFlight.get(key);
  if (running) return running;
  const refresh = refreshUnderLock({
    userId,
    mcpServerId,
    force,
    attempts: retry.attempts ?? DEFAULT_ATTEMPTS,
    baseDelayMs: retry.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
  }).finally(() => inFlight.delete(key));
  inFlight.set(key, refresh);
  return refresh;
}
