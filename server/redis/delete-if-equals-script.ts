// Compare-and-delete in one step: a GET then DEL from the client could delete a lock that expired in
// between and was taken by another process.
export const DELETE_IF_EQUALS_SCRIPT = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`;
