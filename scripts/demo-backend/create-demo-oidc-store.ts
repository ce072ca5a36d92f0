import type { Adapter, AdapterPayload } from "oidc-provider";

// In-memory storage for one demo authorization server. oidc-provider's own memory adapter is an LRU
// that evicts after 1000 entries and cannot list an account's grants, which revokeGrantsOf needs.

type TEntry = { payload: AdapterPayload; expiresAt: number };

// Models whose rows belong to a grant (revoked together with it), as in oidc-provider's adapter.
const GRANT_MEMBERS = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
]);

export type TDemoOidcStore = {
  adapterFor(model: string): Adapter;
  /** Deletes every grant of an account (across clients) and every token and code issued under them; returns how many grants. */
  revokeGrantsOf(accountId: string): number;
  /** Deletes an account's access tokens only (its grants and refresh tokens stay); returns how many. */
  destroyAccessTokensOf(accountId: string): number;
};

export function createDemoOidcStore(): TDemoOidcStore {
  const entries = new Map<string, TEntry>();
  const grantMembers = new Map<string, Set<string>>();
  const secondary = new Map<string, string>();

  const read = (key: string): AdapterPayload | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  const remove = (key: string) => {
    const grantId = entries.get(key)?.payload.grantId;
    entries.delete(key);
    if (grantId) grantMembers.get(grantId)?.delete(key);
  };

  const revokeGrant = (grantId: string) => {
    for (const key of grantMembers.get(grantId) ?? []) entries.delete(key);
    grantMembers.delete(grantId);
    entries.delete(`Grant:${grantId}`);
  };

  const adapterFor = (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(id);
        const expiresAt = typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : Infinity;
        entries.set(key, { payload, expiresAt });
        if (model === "Session" && payload.uid) secondary.set(`sessionUid:${payload.uid}`, id);
        if (payload.userCode) secondary.set(`userCode:${payload.userCode}`, id);
        if (GRANT_MEMBERS.has(model) && payload.grantId) {
          const members = grantMembers.get(payload.grantId) ?? new Set<string>();
          members.add(key);
          grantMembers.set(payload.grantId, members);
        }
      },
      async find(id) {
        return read(keyOf(id));
      },
      async findByUid(uid) {
        const id = secondary.get(`sessionUid:${uid}`);
        return id ? read(keyOf(id)) : undefined;
      },
      async findByUserCode(userCode) {
        const id = secondary.get(`userCode:${userCode}`);
        return id ? read(keyOf(id)) : undefined;
      },
      async consume(id) {
        const payload = read(keyOf(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        remove(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of grantMembers.get(grantId) ?? []) {
          if (key.startsWith(`${model}:`)) entries.delete(key);
        }
      },
    };
  };

  return {
    adapterFor,
    revokeGrantsOf(accountId) {
      const grantIds = [...entries.keys()]
        .filter((key) => key.startsWith("Grant:") && read(key)?.accountId === accountId)
        .map((key) => key.slice("Grant:".length));
      for (const grantId of grantIds) revokeGrant(grantId);
      return grantIds.length;
    },
    destroyAccessTokensOf(accountId) {
      const keys = [...entries.keys()].filter(
        (key) => key.startsWith("AccessToken:") && read(key)?.accountId === accountId,
      );
      for (const key of keys) remove(key);
      return keys.length;
    },
  };
}
