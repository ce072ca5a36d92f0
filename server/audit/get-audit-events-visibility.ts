import { getDb } from "../db";
import type { Prisma } from "../generated/prisma/client";

/**
 * Which audit events a user may read: those they are the actor of, and those naming one of their
 * current instances, so an owner sees failures against their instances that were written without an
 * actor (e.g. a token request naming the instance). Shared by the log and its client filter, so both
 * show the same events.
 */
export async function getAuditEventsVisibility({
  userId,
}: {
  userId: string;
}): Promise<Prisma.AuditLogWhereInput> {
  const instances = await getDb().mcpInstance.findMany({ where: { userId }, select: { id: true } });
  const instanceIds = instances.map((instance) => instance.id);
  return {
    OR: [{ actorUserId: userId }, ...(instanceIds.length > 0 ? [{ instanceId: { in: instanceIds } }] : [])],
  };
}
