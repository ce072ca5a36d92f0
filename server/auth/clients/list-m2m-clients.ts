import { getDb } from "../../db";
import { parseScopeString } from "../scopes";

// The signed-in user's machine-to-machine clients for the dashboard. Never the secret hash.

export type TM2mClientSummary = {
  id: string;
  clientId: string;
  name: string;
  instance: { id: string; name: string };
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
};

export async function listM2mClients({ userId }: { userId: string }): Promise<TM2mClientSummary[]> {
  const clients = await getDb().aiClient.findMany({
    where: { ownerUserId: userId, kind: "M2M", disabledAt: null },
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      clientId: true,
      name: true,
      scope: true,
      createdAt: true,
      lastUsedAt: true,
      instance: { select: { id: true, name: true } },
    },
  });
  return clients.flatMap(({ instance, name, scope, ...client }) =>
    instance ? [{ ...client, name: name ?? "", instance, scopes: parseScopeString(scope) }] : [],
  );
}
