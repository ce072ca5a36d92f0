import { getDb } from "../db";
import { getAuditEventsVisibility } from "./get-audit-events-visibility";

export type TAuditEventsClient = {
  /** The value events carry in clientId (an AiClient id), which the log's client filter matches. */
  value: string;
  label: string;
};

// A user's log can name many clients only if something floods it; the filter stays a usable list.
const MAX_CLIENTS = 200;

/**
 * Every client named in the audit events the user may read, for the log's client filter: revoked and
 * deleted clients included, so their history stays reachable. Sorted by label.
 */
export async function listAuditEventsClients({ userId }: { userId: string }): Promise<TAuditEventsClient[]> {
  const db = getDb();
  const groups = await db.auditLog.groupBy({
    by: ["clientId"],
    where: { AND: [await getAuditEventsVisibility({ userId }), { clientId: { not: null } }] },
    orderBy: { clientId: "asc" },
    take: MAX_CLIENTS,
  });
  const values = groups.flatMap((group) => (group.clientId ? [group.clientId] : []));
  const clients = await db.aiClient.findMany({
    where: { id: { in: values } },
    select: { id: true, clientId: true, name: true, kind: true },
  });
  const labelOf = new Map<string, string>();
  for (const client of clients) {
    const label = `${client.name ?? client.clientId}${client.kind === "M2M" ? " (machine-to-machine)" : ""}`;
    labelOf.set(client.id, label);
  }
  return values
    .map((value) => ({ value, label: labelOf.get(value) ?? value }))
    .sort((a, b) => a.label.localeCompare(b.label) || a.value.localeCompare(b.value));
}
