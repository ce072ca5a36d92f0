import { writeAuditEvent } from "../audit/write-audit-event";
import { hashOpaqueSecret } from "../auth/opaque-secrets";
import { getAppUrl } from "../auth/resource-urls";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { TRequestOrigin } from "../http/get-request-origin";
import { BackendAuthorizationError, type TBackendAuthorizationFailure } from "./backend-authorization-error";
import { BackendTokenError } from "./backend-token-error";
import { BACKEND_CALLBACK_PATH } from "./get-backend-redirect-uri";
import { readOAuthErrorCode } from "./read-oauth-error-code";
import { requestBackendToken } from "./request-backend-token";
import { saveBackendToken } from "./save-backend-token";

// Finishes a backend authorization when the backend's authorization server redirects the user's browser
// to /oauth/callback or /oauth/callback/<issuerKey>. The checks follow the MCP spec's client rules and
// RFC 9700:
// - `state` is looked up by its hash and must belong to the signed-in user (a state of another user reads
//   as unknown: CSRF and injected responses are discarded without revealing anything);
// - the state is consumed atomically before anything else happens, so a response is used at most once,
//   even when two requests race with the same URL;
// - the response must arrive at the redirect URI its flow sent (RFC 9700 §4.4.2, distinct redirect URIs):
//   a DCR or pre-registered client has a URI of its issuer's own, so a response that an attacker's AS
//   had another AS send (mix-up) lands on that other issuer's path, or the shared one, and is refused
//   before its code goes anywhere;
// - `iss` (RFC 9207, the mix-up defence of RFC 9700 §4.4.2) must equal the issuer of the client the flow
//   started with. It must be present when that AS advertised
//   `authorization_response_iss_parameter_supported` (stored on the client at registration): an attacker
//   mixing up authorization servers would simply leave it out. From an AS that never advertised it, a
//   response without `iss` is accepted: its redirect URI is its issuer's own. A CIMD client shares one
//   redirect URI with every CIMD client, so `iss` is always required from it (chooseBackendRegistration
//   picks CIMD only at an AS that sends it);
// - the code is exchanged with the stored PKCE verifier and `resource` (RFC 8707).
// Failures are audited by reason and never carry the code, the state or a token; nothing but the state's
// consumption is stored.

const INVALID_STATE_MESSAGE =
  "This authorization response does not belong to a connection you started. Start connecting the server again from Tumiki.";

const MAX_DESCRIPTION_LENGTH = 200;

/** Text from the authorization server, made fit to show: printable ASCII, one line, bounded. */
function sanitizeServerText(value: string | null, maxLength: number): string | undefined {
  const text = value
    ?.replace(/[^\x20-\x7e]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (!text) return undefined;
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** An OAuth error code as the audit trail and the user may see it. */
const sanitizeErrorCode = (value: string) => readOAuthErrorCode(value) ?? "unrecognized";

export async function completeBackendAuthorization({
  userId,
  query,
  callbackIssuerKey,
  origin,
}: {
  userId: string;
  query: URLSearchParams;
  /** The `<issuerKey>` of /oauth/callback/<issuerKey> the response arrived at; null for /oauth/callback. */
  callbackIssuerKey: string | null;
  origin?: TRequestOrigin;
}): Promise<{ mcpServerId: string; serverName: string }> {
  const fail = (
    reason: TBackendAuthorizationFailure,
    userMessage: string,
    more: { mcpServerId?: string; detail?: Record<string, unknown>; cause?: unknown } = {},
  ) => {
    writeAuditEvent({
      eventType: "backend.authorization_failed",
      outcome: reason === "access_denied" ? "DENIED" : "FAILURE",
      actorUserId: userId,
      mcpServerId: more.mcpServerId,
      ip: origin?.ip,
      userAgent: origin?.userAgent,
      reason,
      detail: more.detail,
    });
    return new BackendAuthorizationError({
      reason,
      userMessage,
      mcpServerId: more.mcpServerId,
      cause: more.cause,
    });
  };

  const state = query.get("state");
  if (!state) {
    throw fail(
      "missing_state",
      "The authorization response has no state, so Tumiki discarded it. Start connecting the server again.",
    );
  }
  const db = getDb();
  const row = await db.backendAuthorizationState.findUnique({
    where: { stateHash: hashOpaqueSecret(state) },
    include: { mcpServer: { select: { name: true } }, oauthClient: true },
  });
  if (!row) throw fail("unknown_state", INVALID_STATE_MESSAGE);
  if (row.userId !== userId) throw fail("wrong_user", INVALID_STATE_MESSAGE);

  const { mcpServerId } = row;
  const serverName = row.mcpServer.name;
  const now = new Date();
  const { count } = await db.backendAuthorizationState.updateMany({
    where: { id: row.id, consumedAt: null, expiresAt: { gt: now } },
    data: { consumedAt: now },
  });
  if (count !== 1) {
    // Expired only if it was never used; a state consumed by a concurrent request counts as reused.
    if (!row.consumedAt && row.expiresAt <= now) {
      throw fail("state_expired", "This authorization took too long and expired. Start connecting again.", {
        mcpServerId,
      });
    }
    throw fail(
      "state_reused",
      "This authorization response was already used. Start connecting again if the server is not connected.",
      { mcpServerId },
    );
  }

  // Built from APP_URL like the URI the flow sent, never from the request's Host.
  const arrivedAt = getAppUrl(
    callbackIssuerKey === null ? BACKEND_CALLBACK_PATH : `${BACKEND_CALLBACK_PATH}/${callbackIssuerKey}`,
  );
  if (arrivedAt !== row.redirectUri) {
    throw fail(
      "redirect_uri_mismatch",
      "The response came back to Tumiki for a different authorization server than the one Tumiki asked, so it was discarded. Start connecting again.",
      { mcpServerId },
    );
  }

  // RFC 9207 §2.4: checked before the response is processed at all, error responses included.
  const issuers = query.getAll("iss");
  const issRequired = row.oauthClient.issParameterSupported || row.oauthClient.registrationType === "CIMD";
  if (issuers.length === 0 && issRequired) {
    throw fail(
      "iss_missing",
      "The response did not say which authorization server sent it, although that server always does, so it was discarded. Start connecting again.",
      { mcpServerId },
    );
  }
  if (issuers.some((iss) => iss !== row.oauthClient.issuer)) {
    throw fail(
      "iss_mismatch",
      "The response came from a different authorization server than the one Tumiki asked, so it was discarded. Start connecting again.",
      { mcpServerId },
    );
  }

  const error = query.get("error");
  if (error !== null) {
    if (error === "access_denied") {
      throw fail("access_denied", `You declined access at ${serverName}.`, { mcpServerId });
    }
    const oauthError = sanitizeErrorCode(error);
    const description = sanitizeServerText(query.get("error_description"), MAX_DESCRIPTION_LENGTH);
    throw fail(
      "authorization_error",
      description
        ? `${serverName} did not authorize Tumiki. It said: ${description}`
        : `${serverName} did not authorize Tumiki (${oauthError}).`,
      { mcpServerId, detail: { oauthError } },
    );
  }

  const code = query.get("code");
  if (!code) {
    throw fail("missing_code", `${serverName} returned no authorization code. Start connecting again.`, {
      mcpServerId,
    });
  }

  let token: Awaited<ReturnType<typeof requestBackendToken>>;
  try {
    token = await requestBackendToken({
      client: row.oauthClient,
      params: {
        grant_type: "authorization_code",
        code,
        redirect_uri: row.redirectUri,
        code_verifier: row.codeVerifier,
        ...(row.resource ? { resource: row.resource } : {}),
      },
    });
  } catch (cause) {
    const unreachable = cause instanceof BackendTokenError && cause.retryable;
    const failure = fail(
      "code_exchange_failed",
      unreachable
        ? `${serverName} could not be reached to finish connecting. Try connecting again shortly.`
        : "The server refused the authorization code. Start connecting again.",
      {
        mcpServerId,
        cause,
        detail:
          cause instanceof BackendTokenError
            ? {
                oauthError: cause.oauthError ? sanitizeErrorCode(cause.oauthError) : undefined,
                retryable: cause.retryable,
                status: cause.responseStatus,
              }
            : { error: cause instanceof AppError ? cause.code : "unexpected" },
      },
    );
    // Anything but an AppError is a bug here: it stays a logged 500, after its audit row.
    if (!(cause instanceof AppError)) throw cause;
    throw failure;
  }

  await saveBackendToken({
    userId,
    mcpServerId,
    oauthClientId: row.oauthClientId,
    token,
    requestedScope: row.scope,
  });
  writeAuditEvent({
    eventType: "backend.connected",
    outcome: "SUCCESS",
    actorUserId: userId,
    mcpServerId,
    ip: origin?.ip,
    userAgent: origin?.userAgent,
    detail: {
      authType: "OAUTH",
      oauthClientId: row.oauthClientId,
      issuer: row.oauthClient.issuer,
      scope: token.scope ?? row.scope,
    },
  });
  return { mcpServerId, serverName };
}
