import type { TOutboundStream } from "../net/request-outbound-stream";
import { JSON_RPC_ERROR, MODERN_ERROR_CODES } from "../protocol/mcp-protocol";

// Whether a backend's refusal of a legacy request reads like a 2026-07-28-only server's (versioning.mdx,
// "Backward Compatibility"): a 4xx whose body is a JSON-RPC error a modern server uses for traffic of
// the wrong era (an unsupported version, a header check, an unknown method such as `initialize`, or
// missing `_meta`). It is only a hint: the caller confirms with `server/discover` before it relies on it.
// The body is read (it is small) and the reply consumed either way.

const MAX_REFUSAL_BYTES = 16 * 1024;
const ERA_CODES = [...MODERN_ERROR_CODES, JSON_RPC_ERROR.methodNotFound, JSON_RPC_ERROR.invalidParams];

export async function isModernRefusal(reply: TOutboundStream): Promise<boolean> {
  // Authentication, a timeout and a rate limit are about the request, not about the era.
  if (reply.status < 400 || reply.status >= 500 || [401, 403, 408, 429].includes(reply.status)) {
    await reply.body.cancel().catch(() => undefined);
    return false;
  }
  try {
    const reader = reply.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_REFUSAL_BYTES) {
        await reader.cancel();
        return false;
      }
      chunks.push(value);
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { error?: { code?: unknown } };
    return typeof body.error?.code === "number" && ERA_CODES.includes(body.error.code);
  } catch {
    return false;
  }
}
