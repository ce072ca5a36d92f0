import { registerDynamicClient } from "@/server/auth/clients/register-dynamic-client";
import { oauthErrorResponse } from "@/server/auth/oauth-error-response";
import { InvalidClientMetadataError } from "@/server/auth/oauth-errors";
import { getRequestOrigin } from "@/server/http/get-request-origin";
import { assertRateLimit } from "@/server/rate-limit/assert-rate-limit";

// RFC 7591 Dynamic Client Registration. Unauthenticated, so the per-address limit runs before anything
// else is read or written.

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 16 * 1024;

async function readJsonBody(request: Request): Promise<unknown> {
  if (!/^application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "")) {
    throw new InvalidClientMetadataError("The registration request must be sent as application/json.");
  }
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) {
    throw new InvalidClientMetadataError("The registration request is too large.");
  }
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) {
    throw new InvalidClientMetadataError("The registration request is too large.");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidClientMetadataError("The registration request is not valid JSON.");
  }
}

export async function POST(request: Request): Promise<Response> {
  try {
    const origin = getRequestOrigin(request.headers);
    await assertRateLimit("oauthRegister", origin.ip);
    const registration = await registerDynamicClient({ metadata: await readJsonBody(request), origin });
    return Response.json(registration, {
      status: 201,
      headers: { "Cache-Control": "no-store", Pragma: "no-cache" },
    });
  } catch (error) {
    return oauthErrorResponse(error);
  }
}
