// The pub/sub channel that announces appends to a log, the same on every backend so processes on
// different clients of one Redis wake each other. @upstash/redis puts the channel into the subscribe
// URL's path unescaped and splits its SSE lines ("message,<channel>,<payload>") at the first commas,
// so the key travels as base64url: no "/", "?", "#", "%" or "," whatever the key holds.
export function logWakeChannel(key: string): string {
  return `log-wake:${Buffer.from(key, "utf8").toString("base64url")}`;
}
