// Append, expiry and wake in one step. A MULTI could not publish the id that XADD generates inside it,
// and separate commands could leave a log without expiry if the process died in between.
// `MAXLEN ~` lets Redis drop whole internal nodes (about 100 entries) instead of editing the oldest
// node on every append; a resume buffer needs at least maxLen entries, not exactly maxLen.
// KEYS[1] the log; ARGV: maxLen, value, ttlMs, wake channel.
export const APPEND_LOG_SCRIPT = `local id = redis.call("XADD", KEYS[1], "MAXLEN", "~", ARGV[1], "*", "v", ARGV[2])
redis.call("PEXPIRE", KEYS[1], ARGV[3])
redis.call("PUBLISH", ARGV[4], id)
return id`;
