import { readLimitedBody } from "../../http/read-limited-body";
import { InvalidRequestError } from "../oauth-errors";

// Reads the application/x-www-form-urlencoded body of /oauth/token and /oauth/revoke (RFC 6749 §3.2,
// RFC 7009 §2.1). A parameter sent twice is refused (RFC 6749 §3.2: "MUST NOT be included more than
// once"): which copy a server reads is exactly the kind of ambiguity an attacker exploits. Empty values
// count as absent (RFC 6749 §3.1). The body is capped while it is read (a chunked upload declares no
// length), since it is read before the client is known.

const MAX_BODY_BYTES = 16 * 1024;

export async function readOAuthForm({ request }: { request: Request }): Promise<Record<string, string>> {
  const contentType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (contentType !== "application/x-www-form-urlencoded") {
    throw new InvalidRequestError("The body must be application/x-www-form-urlencoded.", {
      reason: "unsupported_content_type",
    });
  }
  const text = await readLimitedBody({ request, maxBytes: MAX_BODY_BYTES });
  if (text === null) {
    throw new InvalidRequestError("The request body is too large.", { reason: "body_too_large" });
  }
  const form: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (seen.has(name)) {
      throw new InvalidRequestError("A parameter was sent more than once.", {
        reason: "duplicate_parameter",
      });
    }
    seen.add(name);
    if (value !== "") form[name] = value;
  }
  return form;
}
