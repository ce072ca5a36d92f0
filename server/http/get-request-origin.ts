import { getEnv } from "../env";

// Who is asking, for rate limits and the audit trail. Route handlers cannot see the socket, so the
// client address can only come from X-Forwarded-For, and only when a proxy we trust wrote it: each
// trusted proxy appends the address it saw (Vercel overwrites the header with the client's), so the
// client's address is TRUSTED_PROXY_HOPS entries from the right, and anything further left is the
// client's own claim. With no trusted proxy (the default outside Vercel; Next.js passes a client's
// X-Forwarded-For through unchanged) every request is "unknown": per-address limits then apply to all
// clients together, which is why sign-in is also limited per account.

export type TRequestOrigin = { ip: string; userAgent?: string };

export function getRequestOrigin(
  headers: Headers,
  trustedHops: number = getEnv().TRUSTED_PROXY_HOPS,
): TRequestOrigin {
  const userAgent = headers.get("user-agent")?.slice(0, 512) || undefined;
  if (trustedHops === 0) return { ip: "unknown", userAgent };
  const entries =
    headers
      .get("x-forwarded-for")
      ?.split(",")
      .map((entry) => entry.trim()) ?? [];
  // Fewer entries than trusted hops means a proxy is missing: take the leftmost, the farthest one seen.
  const forwarded = entries.at(-Math.min(trustedHops, entries.length)) ?? "";
  const ip = (forwarded || headers.get("x-real-ip")?.trim() || "unknown").slice(0, 64);
  return { ip, userAgent };
}
