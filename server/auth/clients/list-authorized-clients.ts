import { getDb } from "../../db";
import type { AiClientKind } from "../../generated/prisma/client";

export type TAuthorizedClientInstance = {
  instanceId: string;
  instanceName: string;
  scopes: string[];
  /** When the user last approved the consent page for this client and instance, if they did. */
  consentedAt: Date | null;
};

export type TAuthorizedClient = {
  /** AiClient.id: what revokeClientAuthorization takes. */
  id: string;
  /** The OAuth client_id (a URL for CIMD clients). */
  clientId: string;
  name: string;
  kind: AiClientKind;
  /** Where the client comes from, in words: the host of a CIMD client_id, else how it registered. */
  origin: string;
  instances: TAuthorizedClientInstance[];
  lastUsedAt: Date | null;
};

/**
 * The AI clients holding the user's authorization: a consent or a refresh-token family that is not
 * revoked. One entry per client, because revocation is per client; its instances listed inside.
 * "Last token issued" (a token issued or refreshed) comes from this user's refresh-token families only:
 * AiClient.lastUsedAt is shared by every user of a client (a CIMD client_id is one row for all) and would
 * tell one user about another. Revoked families count too: a client that revokes its own refresh token
 * (signing out, RFC 7009) or trips reuse detection keeps its consent, and its tokens were still issued.
 */
export async function listAuthorizedClients({ userId }: { userId: string }): Promise<TAuthorizedClient[]> {
  const db = getDb();
  const clientSelect = {
    select: { id: true, clientId: true, name: true, kind: true },
  } as const;
  const instanceSelect = { select: { id: true, name: true, userId: true } } as const;
  const [consents, families, issuance] = await Promise.all([
    db.consent.findMany({
      where: { userId, revokedAt: null },
      include: { client: clientSelect, instance: instanceSelect },
    }),
    db.refreshTokenFamily.findMany({
      where: { userId, revokedAt: null },
      include: { client: clientSelect, instance: instanceSelect },
    }),
    // Every issuance starts or rotates a family and stamps its lastUsedAt (createdAt for older rows).
    db.$queryRaw<{ clientId: string; lastIssuedAt: Date }[]>`
      SELECT "clientId", max(coalesce("lastUsedAt", "createdAt")) AS "lastIssuedAt"
      FROM "RefreshTokenFamily" WHERE "userId" = ${userId} GROUP BY "clientId"`,
  ]);
  const lastIssuedAt = new Map(issuance.map((row) => [row.clientId, row.lastIssuedAt]));

  type Entry = TAuthorizedClient & { byInstance: Map<string, TAuthorizedClientInstance> };
  const entries = new Map<string, Entry>();
  const entryFor = (client: (typeof consents)[number]["client"]): Entry => {
    let entry = entries.get(client.id);
    if (!entry) {
      entry = {
        id: client.id,
        clientId: client.clientId,
        name: client.name ?? describeUnnamedClient(client.kind, client.clientId),
        kind: client.kind,
        origin: describeClientOrigin(client.kind, client.clientId),
        instances: [],
        lastUsedAt: lastIssuedAt.get(client.id) ?? null,
        byInstance: new Map(),
      };
      entries.set(client.id, entry);
    }
    return entry;
  };
  const instanceFor = (entry: Entry, instance: { id: string; name: string }) => {
    let item = entry.byInstance.get(instance.id);
    if (!item) {
      item = { instanceId: instance.id, instanceName: instance.name, scopes: [], consentedAt: null };
      entry.byInstance.set(instance.id, item);
    }
    return item;
  };

  for (const consent of consents) {
    // A consent row names the user; an instance of another user would be a bug elsewhere, never shown.
    if (consent.instance.userId !== userId) continue;
    const item = instanceFor(entryFor(consent.client), consent.instance);
    item.scopes = mergeScopes(item.scopes, consent.scopes);
    item.consentedAt = latest(item.consentedAt, consent.updatedAt);
  }
  for (const family of families) {
    if (family.instance.userId !== userId) continue;
    const item = instanceFor(entryFor(family.client), family.instance);
    item.scopes = mergeScopes(item.scopes, family.scopes);
  }

  return [...entries.values()]
    .map(({ byInstance, ...entry }) => ({
      ...entry,
      instances: [...byInstance.values()].sort((a, b) => a.instanceName.localeCompare(b.instanceName)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

function describeClientOrigin(kind: AiClientKind, clientId: string): string {
  if (kind === "CIMD") {
    try {
      return new URL(clientId).host;
    } catch {
      return "Client metadata document";
    }
  }
  return kind === "M2M" ? "Machine-to-machine client" : "Registered dynamically";
}

function describeUnnamedClient(kind: AiClientKind, clientId: string): string {
  return kind === "CIMD" ? clientId : "Unnamed client";
}

function mergeScopes(current: string[], added: string[]): string[] {
  return [...new Set([...current, ...added])].sort();
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}
