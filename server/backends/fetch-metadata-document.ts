import type { z } from "zod";
import { OutboundFetchError } from "../net/outbound-fetch-error";
import { safeFetch } from "../net/safe-fetch";
import { BackendDiscoveryError } from "./backend-discovery-error";

// One GET of a well-known metadata document (RFC 9728, RFC 8414, OpenID discovery) through safeFetch. A 4xx
// means "not here" (the caller tries its next candidate URL); anything else that is not a valid document
// is an error the user sees, naming the URL's origin (a path or query could carry something private).
// Redirects are followed, each hop re-checked by safeFetch; the issuer/resource checks of the callers are
// what make a redirected document trustworthy.

const MAX_DOCUMENT_BYTES = 64 * 1024;
const TIMEOUT_MS = 5_000;
const MAX_REDIRECTS = 2;

type TMetadataDocumentResult<T> = { found: true; document: T } | { found: false; status: number };

export async function fetchMetadataDocument<T>({
  url,
  schema,
  label,
  signal,
}: {
  url: string;
  schema: z.ZodType<T>;
  /** What the document is, for messages, e.g. "protected resource metadata". */
  label: string;
  signal?: AbortSignal;
}): Promise<TMetadataDocumentResult<T>> {
  const origin = new URL(url).origin;
  let response: Awaited<ReturnType<typeof safeFetch>>;
  try {
    response = await safeFetch({
      url,
      headers: { accept: "application/json" },
      maxBytes: MAX_DOCUMENT_BYTES,
      timeoutMs: TIMEOUT_MS,
      maxRedirects: MAX_REDIRECTS,
      signal,
    });
  } catch (error) {
    if (!(error instanceof OutboundFetchError)) throw error;
    throw new BackendDiscoveryError("metadata_fetch_failed", {
      message: `${label} at ${origin}: ${error.reason}`,
      userMessage: `Tumiki could not fetch the ${label} from ${origin}: ${error.userMessage}`,
      outboundReason: error.reason,
      cause: error,
    });
  }
  if (response.status >= 400 && response.status < 500) return { found: false, status: response.status };
  if (response.status < 200 || response.status >= 300) {
    throw new BackendDiscoveryError("metadata_unavailable", {
      message: `${label} at ${origin}: HTTP ${response.status}`,
      userMessage: `${origin} answered HTTP ${response.status} when Tumiki asked for its ${label}. Try again later.`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(response.body.toString("utf8"));
  } catch (cause) {
    throw new BackendDiscoveryError("metadata_invalid", {
      message: `${label} at ${origin}: not JSON`,
      userMessage: `The ${label} at ${origin} is not a JSON document.`,
      cause,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".") || "(document)"))];
    throw new BackendDiscoveryError("metadata_invalid", {
      message: `${label} at ${origin}: invalid ${fields.join(", ")}`,
      userMessage: `The ${label} at ${origin} is not valid (check: ${fields.slice(0, 5).join(", ")}).`,
      cause: parsed.error,
    });
  }
  return { found: true, document: parsed.data };
}
