// The log commands check their arguments before any backend sees them, so a malformed Last-Event-ID or
// option fails the same way on Upstash, a self-hosted Redis and the memory store (Redis words its own
// errors differently per command, and inside a script differently again).

const LOG_ID = /^(\d+)(?:-(\d+))?$/;
const MAX_ID_PART = 2n ** 64n - 1n;

/**
 * Parses an id as XRANGE reads an exclusive start: "<ms>" means "<ms>-0". Rejects what Redis rejects:
 * anything else, a part beyond 64 bits, and the largest id, after which nothing can follow.
 */
export function parseLogId(id: string): [ms: bigint, seq: bigint] {
  const match = LOG_ID.exec(id);
  if (!match?.[1]) throw new Error("ERR invalid log id (expected <ms> or <ms>-<seq>)");
  const ms = BigInt(match[1]);
  const seq = BigInt(match[2] ?? "0");
  if (ms > MAX_ID_PART || seq > MAX_ID_PART || (ms === MAX_ID_PART && seq === MAX_ID_PART)) {
    throw new Error("ERR invalid log id (out of range)");
  }
  return [ms, seq];
}

export function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`ERR ${name} must be a positive integer`);
  }
}
