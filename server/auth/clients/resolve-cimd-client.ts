import { createHash } from "node:crypto";
import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { getEnv } from "../../env";
import type { AiClient } from "../../generated/prisma/client";
import { isUniqueViolation } from "../../is-unique-violation";
import { getLogger } from "../../logger";
import { OutboundFetchError } from "../../net/outbound-fetch-error";
import { safeFetch } from "../../net/safe-fetch";
import { assertRateLimit } from "../../rate-limit/assert-rate-limit";
import { getRedis } from "../../redis";
import { InvalidClientError, InvalidRedirectUriError } from "../oauth-errors";
import { type TApplicationType, type TClientMetadata, ZClientMetadata } from "./client-metadata-schema";
import { resolveApplicationType } from "./resolve-application-type";
import { assertValidRedirectUri } from "./validate-redirect-uri";

// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document), the registration MCP
// prefers (2025-11-25 on; 2026-07-28 deprecates DCR in their favour): a client_id that is an https URL
// names a JSON document describing the client. Tumiki fetches it through safeFetch
// (no private targets, 10 KB, 5 s, no redirects: the document must live at the client_id URL itself),
// checks it, and keeps it as an AiClient row of kind CIMD, re-fetched when its cache lifetime has passed.
//
// Such a client can never hold a secret (nothing could have been shared with a document), so it must be a
// public client: a document that asks for a secret-based method or carries a secret is refused. A document
// that names no method is taken as `none`; RFC 7591's default (client_secret_basic) cannot apply here.
//
// Anyone can name any URL, so what a client_id can make Tumiki do is bounded:
// - only /oauth/authorize may register a new client (`mayRegister`), and only for a signed-in user;
//   elsewhere an unknown URL is an unknown client. Each such first fetch counts against that user
//   (policy `cimdFetch`): counted per address, strangers sharing the default "unknown" address (no trusted
//   proxy hops) could use up the budget with made-up URLs and block every new client of the deployment.
//   Re-fetches of a stored client are not counted: they happen at most once per cache lifetime (at least
//   5 minutes) per client, whoever asks, and counting them would let strangers stall known clients;
// - a failed fetch is remembered for 5 minutes per client_id, so a broken or slow document costs one
//   fetch (up to 5 s) per 5 minutes rather than one per request, whether or not a stored copy exists;
// - only port 443 (development hosts on OUTBOUND_ALLOWED_PRIVATE_HOSTS aside) and never Tumiki's own host
//   (as APP_URL names it; see assertCimdUrl for the aliases this cannot catch).
//
// When a re-fetch fails, the stored copy keeps serving for up to 24 hours after its last good fetch, so a
// brief outage of the client's site does not lock users out; after that the client is refused.
//
// `metadata` of a CIMD row holds { document, cacheMaxAgeSeconds }.

const MAX_DOCUMENT_BYTES = 10 * 1024;
const FETCH_TIMEOUT_MS = 5_000;
const MIN_CACHE_SECONDS = 5 * 60;
const MAX_CACHE_SECONDS = 24 * 60 * 60;
const DEFAULT_CACHE_SECONDS = 60 * 60;
const STALE_LIMIT_MS = 24 * 60 * 60 * 1000;
const FAILURE_MEMORY_MS = 5 * 60 * 1000;

type TCimdMetadata = { document: TClientMetadata; cacheMaxAgeSeconds: number };

/** A document that could not be used; `reason` goes to logs, the message to the client. */
class CimdProblem extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

function assertCimdUrl(clientId: string): void {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    throw new InvalidClientError("The client_id is not a valid URL.", { reason: "cimd_invalid_url" });
  }
  const refuse = (why: string) => {
    throw new InvalidClientError(`The client_id is not a valid client metadata document URL: ${why}.`, {
      reason: "cimd_invalid_url",
    });
  };
  const env = getEnv();
  const hostPort = `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
  const allowlisted = env.OUTBOUND_ALLOWED_PRIVATE_HOSTS.includes(hostPort);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && allowlisted)) refuse("it must use https");
  if (url.username || url.password) refuse("it must not contain a user name or password");
  // Other ports would let anyone use Tumiki to probe which services a host runs.
  if (url.port !== "" && !allowlisted) refuse("it must use the default https port");
  // Tumiki fetching its own pages on a stranger's behalf could reach what only it may see. A trailing dot
  // names the same host (`app.example.` is `app.example`) yet would not compare equal, so it is refused
  // outright. Other aliases of Tumiki (another deployment URL, another DNS name, the raw IP) cannot be
  // recognised here; safeFetch's refusal of private addresses is what stands in their way.
  if (url.hostname.endsWith(".")) refuse("its host name must not end with a dot");
  if (url.host === new URL(env.APP_URL).host) refuse("it must not be on Tumiki's own host");
  if (clientId.includes("#")) refuse("it must not contain a fragment");
  if (url.pathname === "/") refuse("it must have a path");
  // One spelling per client: dot segments, upper-case hosts, default ports or odd IP notations would
  // otherwise let one document stand for several client_ids, or hide an address behind another form.
  if (url.href !== clientId || clientId.length > 2000) refuse("it must be in canonical form");
}

/** Cache-Control max-age, bounded, so a client cannot make Tumiki fetch on every request or never again. */
function cacheMaxAgeSeconds(cacheControl: string | null): number {
  const match = /(?:^|[,\s])max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl ?? "");
  const seconds = match ? Number(match[1]) : DEFAULT_CACHE_SECONDS;
  return Math.min(MAX_CACHE_SECONDS, Math.max(MIN_CACHE_SECONDS, seconds));
}

async function fetchDocument(clientId: string): Promise<TCimdMetadata> {
  let response: Awaited<ReturnType<typeof safeFetch>>;
  try {
    response = await safeFetch({
      url: clientId,
      headers: { Accept: "application/json" },
      maxBytes: MAX_DOCUMENT_BYTES,
      timeoutMs: FETCH_TIMEOUT_MS,
      maxRedirects: 0,
    });
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error;
    // Why a connection failed (no such name, a private address, a closed port, a timeout) stays in the
    // logs: shown on the error page it would let anyone map the network Tumiki sees.
    const message =
      error.reason === "too_many_redirects"
        ? ": the server answered with a redirect; the document must be served at the client_id URL itself."
        : error.reason === "response_too_large"
          ? `: the document is larger than ${MAX_DOCUMENT_BYTES / 1024} KB.`
          : ".";
    throw new CimdProblem(`could not be fetched${message}`, `cimd_fetch_${error.reason}`);
  }
  if (response.status !== 200) {
    throw new CimdProblem(
      `could not be fetched: the server answered HTTP ${response.status}.`,
      "cimd_status",
    );
  }

  let raw: unknown;
  try {
    raw = JSON.parse(response.body.toString("utf8"));
  } catch {
    throw new CimdProblem("is not valid JSON.", "cimd_invalid_json");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new CimdProblem("is not a JSON object.", "cimd_invalid_json");
  }
  if ("client_secret" in raw || "client_secret_expires_at" in raw) {
    throw new CimdProblem("must not contain a client secret.", "cimd_client_secret");
  }
  const parsed = ZClientMetadata.safeParse({ token_endpoint_auth_method: "none", ...raw });
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw new CimdProblem(`is not valid: ${where}${issue?.message ?? "unknown problem"}.`, "cimd_invalid");
  }
  const document = parsed.data;
  if (document.client_id !== clientId) {
    throw new CimdProblem("names a different client_id than its own URL.", "cimd_client_id_mismatch");
  }
  if (!document.client_name) throw new CimdProblem("has no client_name.", "cimd_invalid");
  if (document.token_endpoint_auth_method !== "none") {
    throw new CimdProblem(
      "must use token_endpoint_auth_method none: a metadata document cannot share a client secret.",
      "cimd_auth_method",
    );
  }
  let applicationType: TApplicationType;
  try {
    for (const uri of document.redirect_uris) assertValidRedirectUri({ uri });
    // The same rules as for a registration by DCR: a document is a registration published by its client.
    applicationType = resolveApplicationType({
      declared: document.application_type,
      redirectUris: document.redirect_uris,
    });
  } catch (error) {
    if (!(error instanceof InvalidRedirectUriError)) throw error;
    throw new CimdProblem(`has an invalid redirect URI: ${error.description}`, "cimd_redirect_uri");
  }
  return {
    document: { ...document, application_type: applicationType },
    cacheMaxAgeSeconds: cacheMaxAgeSeconds(response.headers.get("cache-control")),
  };
}

async function saveDocument(clientId: string, metadata: TCimdMetadata, fetchedAt: Date): Promise<AiClient> {
  const { document } = metadata;
  const fields = {
    kind: "CIMD" as const,
    clientSecretHash: null,
    name: document.client_name ?? null,
    clientUri: document.client_uri ?? null,
    logoUri: document.logo_uri ?? null,
    redirectUris: document.redirect_uris,
    grantTypes: document.grant_types,
    responseTypes: document.response_types,
    tokenEndpointAuthMethod: "none",
    scope: document.scope ?? null,
    metadata,
    metadataFetchedAt: fetchedAt,
  };
  const upsert = () =>
    getDb().aiClient.upsert({ where: { clientId }, create: { clientId, ...fields }, update: fields });
  try {
    return await upsert();
  } catch (error) {
    // Two first requests for the same client raced to create the row: the second one updates it.
    if (!isUniqueViolation(error)) throw error;
    return upsert();
  }
}

function storedMaxAgeSeconds(client: AiClient): number {
  const stored = (client.metadata as Partial<TCimdMetadata> | null)?.cacheMaxAgeSeconds;
  return typeof stored === "number" ? stored : DEFAULT_CACHE_SECONDS;
}

const failureKey = (clientId: string) =>
  `cimd-fetch-failure:${createHash("sha256").update(clientId).digest("hex")}`;

/** The problem of a fetch that failed within the last 5 minutes, if any. */
async function readRememberedFailure(clientId: string): Promise<CimdProblem | null> {
  try {
    const stored = await getRedis().get(failureKey(clientId));
    if (stored === null) return null;
    const { message, reason } = JSON.parse(stored) as { message: string; reason: string };
    return new CimdProblem(message, reason);
  } catch (error) {
    // Only an optimisation: without Redis every request fetches, as it would have anyway.
    getLogger().warn({ err: error }, "could not read the CIMD fetch failure cache");
    return null;
  }
}

async function rememberFailure(clientId: string, problem: CimdProblem): Promise<void> {
  try {
    const value = JSON.stringify({ message: problem.message, reason: problem.reason });
    await getRedis().set(failureKey(clientId), value, { px: FAILURE_MEMORY_MS });
  } catch (error) {
    getLogger().warn({ err: error }, "could not write the CIMD fetch failure cache");
  }
}

export type TResolveCimdClientOptions =
  | { clientId: string; mayRegister?: false }
  /**
   * `userId`: the signed-in user, against whom the fetch of a not yet stored document is counted;
   * `ip`: their address, for the audit.
   */
  | { clientId: string; mayRegister: true; userId: string; ip: string };

/**
 * The AiClient for a CIMD client_id, fetched or from cache. Null when the client was disabled, or is not
 * stored yet and `mayRegister` is not set; throws InvalidClientError, naming the problem, when the URL or
 * its document cannot be used, and RateLimitError when the user registered too many clients.
 */
export async function resolveCimdClient(options: TResolveCimdClientOptions): Promise<AiClient | null> {
  const { clientId } = options;
  assertCimdUrl(clientId);
  const existing = await getDb().aiClient.findUnique({ where: { clientId } });
  if (existing?.disabledAt) return null;
  if (existing && existing.kind !== "CIMD") {
    throw new InvalidClientError("The client_id is not a client metadata document.", { reason: "cimd_kind" });
  }
  if (!existing && !options.mayRegister) return null;

  const now = new Date();
  const age = existing?.metadataFetchedAt ? now.getTime() - existing.metadataFetchedAt.getTime() : Infinity;
  if (existing && age < storedMaxAgeSeconds(existing) * 1000) return existing;

  const refuseOrServeStored = (problem: CimdProblem): AiClient => {
    if (existing && age < STALE_LIMIT_MS) {
      getLogger().warn(
        { reason: problem.reason, clientId },
        "client metadata document could not be refreshed; serving the stored copy",
      );
      return existing;
    }
    throw new InvalidClientError(`The client metadata document ${problem.message}`, {
      reason: problem.reason,
    });
  };

  const remembered = await readRememberedFailure(clientId);
  if (remembered) return refuseOrServeStored(remembered);
  if (!existing && options.mayRegister) await assertRateLimit("cimdFetch", `user:${options.userId}`);

  let metadata: TCimdMetadata;
  try {
    metadata = await fetchDocument(clientId);
  } catch (error) {
    if (!(error instanceof CimdProblem)) throw error;
    await rememberFailure(clientId, error);
    return refuseOrServeStored(error);
  }

  const client = await saveDocument(clientId, metadata, now);
  if (!existing) {
    writeAuditEvent({
      eventType: "oauth.client_registered",
      outcome: "SUCCESS",
      clientId: client.id,
      actorUserId: options.mayRegister ? options.userId : undefined,
      ip: options.mayRegister ? options.ip : undefined,
      detail: {
        kind: "CIMD",
        oauthClientId: clientId,
        clientName: client.name,
        host: new URL(clientId).host,
      },
    });
  }
  return client;
}
