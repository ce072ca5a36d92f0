import { getLogger } from "../logger";
import { getRedis, type RedisStore } from "../redis";
import { type TBackendHealthRecord, ZBackendHealthRecord } from "./backend-health-schemas";

// Where a server's health record lives. A record nobody writes for a week expires (a removed server, one
// nobody uses): its health is then unknown until the next request. Read-modify-write from several
// processes can lose one update (two failures counted as one); the next request counts again.
//
// Each process also remembers which servers it last saw with a clean record, so the success of an
// ordinary request to a healthy server costs no Redis round trip at all (the circuit check before the
// request, which reads the record anyway, keeps this up to date).

const RECORD_TTL_MS = 7 * 24 * 3600 * 1000;

const healthKey = (mcpServerId: string) => `backend_health:${mcpServerId}`;

/** The per-server lock of the probe of a down server: one process probes, the others skip the server. */
export const probeLockKey = (mcpServerId: string) => `backend_health_probe:${mcpServerId}`;

// Per store: a test may play two processes with two stores in one.
const cleanServers = new WeakMap<RedisStore, Set<string>>();

const isClean = (record: TBackendHealthRecord | null) =>
  record !== null && record.failures === 0 && !record.down;

function remember(store: RedisStore, mcpServerId: string, record: TBackendHealthRecord | null) {
  let clean = cleanServers.get(store);
  if (!clean) {
    clean = new Set();
    cleanServers.set(store, clean);
  }
  if (isClean(record)) clean.add(mcpServerId);
  else clean.delete(mcpServerId);
}

/** Whether this process last saw the server healthy (a success then changes nothing). */
export const isKnownClean = ({
  mcpServerId,
  store = getRedis(),
}: {
  mcpServerId: string;
  store?: RedisStore;
}) => cleanServers.get(store)?.has(mcpServerId) === true;

/** The record, or null when there is none (or it is unreadable). Throws when Redis cannot be reached. */
export async function readHealthRecord({
  mcpServerId,
  store = getRedis(),
}: {
  mcpServerId: string;
  store?: RedisStore;
}): Promise<TBackendHealthRecord | null> {
  const raw = await store.get(healthKey(mcpServerId));
  let record: TBackendHealthRecord | null = null;
  if (raw !== null) {
    try {
      const parsed = ZBackendHealthRecord.safeParse(JSON.parse(raw));
      if (parsed.success) record = parsed.data;
      else getLogger().warn({ mcpServerId }, "a backend health record was malformed and is ignored");
    } catch {
      getLogger().warn({ mcpServerId }, "a backend health record was not JSON and is ignored");
    }
  }
  remember(store, mcpServerId, record);
  return record;
}

export async function writeHealthRecord({
  mcpServerId,
  record,
  store = getRedis(),
}: {
  mcpServerId: string;
  record: TBackendHealthRecord;
  store?: RedisStore;
}): Promise<void> {
  await store.set(healthKey(mcpServerId), JSON.stringify(record), { px: RECORD_TTL_MS });
  remember(store, mcpServerId, record);
}
