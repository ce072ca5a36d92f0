import { getDb } from "../../db";
import type { TApiKeySummary } from "./api-key-schemas";

// The user's API keys, newest first, revoked ones included (the list shows their state). Never the hash.

export async function listApiKeys(options: { userId: string }): Promise<TApiKeySummary[]> {
  return getDb().mcpApiKey.findMany({
    where: { userId: options.userId },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    select: {
      id: true,
      name: true,
      prefix: true,
      instance: { select: { id: true, name: true } },
      scopes: true,
      createdAt: true,
      lastUsedAt: true,
      expiresAt: true,
      revokedAt: true,
    },
  });
}
