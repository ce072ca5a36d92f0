import { writeAuditEvent } from "../audit/write-audit-event";
import { getDb } from "../db";
import { Prisma } from "../generated/prisma/client";
import type { TToolSightings } from "./evaluate-tool-sightings";
import type { TToolDefinition } from "./tool-definition";

// Writes what one listing taught (evaluate-tool-sightings.ts). Several processes may list the same
// server at once: rows are created with skipDuplicates and a change is recorded only where it is not
// recorded yet, so each hold is written and audited once. Every hold is audited (`mcp.tool_held`,
// DENIED: Tumiki refuses the tool until the owner decides).

/** A definition came from a JSON message, so it is JSON. */
const json = (definition: TToolDefinition) => definition as Prisma.InputJsonValue;

export async function recordToolSightings({
  instanceId,
  mcpServerId,
  userId,
  serverSlug,
  sightings,
}: {
  instanceId: string;
  mcpServerId: string;
  userId: string;
  serverSlug: string;
  sightings: TToolSightings;
}): Promise<void> {
  const db = getDb();
  const audit = (tool: string, reason: "new_tool" | "definition_changed") =>
    writeAuditEvent({
      eventType: "mcp.tool_held",
      outcome: "DENIED",
      actorUserId: userId,
      instanceId,
      mcpServerId,
      reason,
      detail: { tool: tool.slice(0, 200), serverSlug },
    });
  const key = (name: string) => ({ instanceId_mcpServerId_name: { instanceId, mcpServerId, name } });

  const rowOf = (tool: TToolSightings["created"][number]) => ({
    name: tool.name,
    digest: tool.digest,
    definition: json(tool.definition),
    chosen: tool.chosen,
    heldAsNew: tool.heldAsNew,
    instanceId,
    mcpServerId,
  });
  // The tools and the mark of the first listing land together: a concurrent list sees either neither
  // (a first sight of its own, the same rows) or both, never "listed before" without the pinned tools,
  // which would make every tool "added later".
  const created = await db.$transaction(async (tx) => {
    const rows =
      sightings.created.length === 0
        ? []
        : await tx.instanceTool.createManyAndReturn({
            data: sightings.created.map(rowOf),
            skipDuplicates: true,
            select: { name: true, heldAsNew: true },
          });
    if (sightings.firstListing) {
      await tx.mcpInstanceConnection.updateMany({
        where: { instanceId, connection: { mcpServerId }, toolsFirstListedAt: null },
        data: { toolsFirstListedAt: new Date() },
      });
    }
    return rows;
  });
  // Only the rows this listing created: a concurrent listing audits its own.
  for (const tool of created) if (tool.heldAsNew) audit(tool.name, "new_tool");
  for (const change of sightings.changed) {
    const { count } = await db.instanceTool.updateMany({
      where: {
        instanceId,
        mcpServerId,
        name: change.name,
        OR: [{ pendingDigest: null }, { pendingDigest: { not: change.digest } }],
      },
      data: { pendingDigest: change.digest, pendingDefinition: json(change.definition) },
    });
    if (count > 0) audit(change.name, "definition_changed");
  }
  for (const repin of sightings.repinned) {
    await db.instanceTool.update({
      where: key(repin.name),
      data: {
        digest: repin.digest,
        definition: json(repin.definition),
        pendingDigest: null,
        pendingDefinition: Prisma.DbNull,
      },
    });
  }
  if (sightings.reverted.length > 0) {
    await db.instanceTool.updateMany({
      where: { instanceId, mcpServerId, name: { in: sightings.reverted } },
      data: { pendingDigest: null, pendingDefinition: Prisma.DbNull },
    });
  }
  if (sightings.seen.length > 0) {
    await db.instanceTool.updateMany({
      where: { instanceId, mcpServerId, name: { in: sightings.seen } },
      data: { lastSeenAt: new Date() },
    });
  }
}
