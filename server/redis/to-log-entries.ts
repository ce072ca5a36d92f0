import type { RedisLogEntry } from "../redis";

/** What XRANGE and XREVRANGE answer: [id, [field, value, …]] per entry; a log entry has one field. */
export type StreamReply = [id: string, fields: string[]][];

export function toLogEntries(reply: StreamReply): RedisLogEntry[] {
  return reply.map(([id, fields]) => ({ id, value: fields[1] ?? "" }));
}
