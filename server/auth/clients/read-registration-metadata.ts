import { readLimitedBody } from "../../http/read-limited-body";
import { InvalidClientMetadataError } from "../oauth-errors";

// The body of POST /oauth/register (RFC 7591 §3.1: a JSON object), read with a hard size limit: the
// endpoint is unauthenticated, and a body sent without Content-Length (chunked) must not be read whole.
// What it contains is judged by registerDynamicClient.

const MAX_BODY_BYTES = 16 * 1024;

/** The parsed JSON body; throws invalid_client_metadata when it is not JSON or too large. */
export async function readRegistrationMetadata({ request }: { request: Request }): Promise<unknown> {
  if (!/^application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "")) {
    throw new InvalidClientMetadataError("The registration request must be sent as application/json.");
  }
  const text = await readLimitedBody({ request, maxBytes: MAX_BODY_BYTES });
  if (text === null) throw new InvalidClientMetadataError("The registration request is too large.");
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidClientMetadataError("The registration request is not valid JSON.");
  }
}
