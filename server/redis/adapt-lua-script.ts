import { createHash } from "node:crypto";

// @upstash/ratelimit's scripts start with `#!lua flags=allow-key-locking`, a flag Upstash and Redis 7.2+
// know and Redis 7.0 rejects ("Unexpected flag in script shebang"). Without the shebang line the
// scripts run unchanged in Redis's default mode. The library calls EVALSHA with the sha of the
// *original* script, so whoever strips the line must remember which local sha that sha stands for.

const SHEBANG_LINE = /^#!lua[^\n]*\n/;

export type AdaptedLuaScript = {
  /** The script Redis 7.0 accepts. */
  body: string;
  /** The sha a client computed from the original text (what Upstash would have cached). */
  clientSha: string;
  /** The sha Redis caches for `body`. */
  localSha: string;
};

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

export function adaptLuaScript(script: string): AdaptedLuaScript {
  const body = script.replace(SHEBANG_LINE, "");
  return { body, clientSha: sha1(script), localSha: sha1(body) };
}
