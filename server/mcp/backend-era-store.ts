import { createHash } from "node:crypto";
import { z } from "zod";
import { getLogger } from "../logger";
import { getRedis } from "../redis";

// What Tumiki has learned of a backend's protocol eras, per server URL (versioning.mdx: the era is a
// property of the server, and a client SHOULD cache it per origin and re-probe when the assumption
// fails). null: not known yet.
// - `modern`: it answers 2026-07-28 requests (a `server/discover` that offers the version);
// - `legacy`: how it answers `initialize`: with a session ("sessions": it can send a client requests
//   mid-call and take the answers), without one ("stateless": every 2025 request meets a fresh server,
//   which cannot take an answer), or not at all ("refused": 2026-07-28 only).
// Verdicts are dated by the key's expiry: a stale one would keep translating for a backend that has
// since gained the client's era, so they are learned again every hour, and dropped at once when a
// backend answers in a way that contradicts them. Only clear answers make a verdict (probe-modern-
// backend.ts): a timeout, a rate limit or an outage says nothing about the era. Two processes learning
// at once may each write what they learned; the read-modify-write can lose one fact, which the next
// request learns again (one probe); a write racing a forget may put back a verdict just dropped, which
// the next contradicting answer drops again.
//
// Only era facts live here, shared by every user of the URL: they are not secret and are the same for
// everyone. A Redis failure only costs a probe: reads then know nothing, writes are skipped.

const ZBackendEra = z.object({
  modern: z.boolean().nullable(),
  legacy: z.enum(["sessions", "stateless", "refused"]).nullable(),
});
export type TBackendEra = z.infer<typeof ZBackendEra>;

const ERA_TTL_MS = 60 * 60 * 1000;
const UNKNOWN: TBackendEra = { modern: null, legacy: null };

const eraKey = (url: string) => `mcp_backend_era:${createHash("sha256").update(url).digest("hex")}`;

export async function readBackendEra(url: string): Promise<TBackendEra> {
  try {
    const raw = await getRedis().get(eraKey(url));
    if (raw === null) return UNKNOWN;
    const parsed = ZBackendEra.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : UNKNOWN;
  } catch (error) {
    getLogger().warn({ err: error }, "reading a backend's protocol era failed");
    return UNKNOWN;
  }
}

/** Adds what was just learned to what is known; a no-op when it was known already. */
export async function recordBackendEra({
  url,
  learned,
}: {
  url: string;
  learned: Partial<TBackendEra>;
}): Promise<void> {
  try {
    const known = await readBackendEra(url);
    const next = { ...known, ...learned };
    if (next.modern === known.modern && next.legacy === known.legacy) return;
    await getRedis().set(eraKey(url), JSON.stringify(next), { px: ERA_TTL_MS });
  } catch (error) {
    getLogger().warn({ err: error }, "recording a backend's protocol era failed");
  }
}

/** Drops every verdict about a backend that just contradicted one: the next request learns again. */
export async function forgetBackendEra(url: string): Promise<void> {
  try {
    await getRedis().del(eraKey(url));
  } catch (error) {
    getLogger().warn({ err: error }, "forgetting a backend's protocol era failed");
  }
}
