// Who is asking, for rate limits and the audit trail. The client address comes from the proxy in front
// of Tumiki: Vercel overwrites x-forwarded-for with the client's address, and a reverse proxy in front
// of `next start` appends the address it saw. The last entry is therefore the one a proxy wrote; the
// entries before it are whatever the client sent. Without any proxy the header is client-controlled,
// so the address only ever keys a rate limit or an audit row, never grants access.

export type TRequestOrigin = { ip: string; userAgent?: string };

export function getRequestOrigin(headers: Headers): TRequestOrigin {
  const forwarded = headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
  const ip = (forwarded || headers.get("x-real-ip")?.trim() || "unknown").slice(0, 64);
  const userAgent = headers.get("user-agent")?.slice(0, 512) || undefined;
  return { ip, userAgent };
}
