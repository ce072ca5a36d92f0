import { getEnv } from "../env";

// Who is asking, for rate limits and the audit trail. Route handlers cannot see the socket, so the
// client address comes from X-Forwarded-For: each trusted proxy appends the address it saw (Vercel and
// a bare `next start` write the client's), so the client's is TRUSTED_PROXY_HOPS entries from the
// right; anything further left was sent by the client and is ignored. The address only ever keys a
// rate limit or an audit row; it never grants access.

export type TRequestOrigin = { ip: string; userAgent?: string };

export function getRequestOrigin(
  headers: Headers,
  trustedHops = getEnv().TRUSTED_PROXY_HOPS,
): TRequestOrigin {
  const entries =
    headers
      .get("x-forwarded-for")
      ?.split(",")
      .map((entry) => entry.trim()) ?? [];
  // Fewer entries than trusted hops means a proxy is missing: take the leftmost, the farthest one seen.
  const forwarded = entries.at(-Math.min(trustedHops, entries.length)) ?? "";
  const ip = (forwarded || headers.get("x-real-ip")?.trim() || "unknown").slice(0, 64);
  const userAgent = headers.get("user-agent")?.slice(0, 512) || undefined;
  return { ip, userAgent };
}
