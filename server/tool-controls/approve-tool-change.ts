import { getDb } from "../db";
import { AppError } from "../errors";
import { Prisma } from "../generated/prisma/client";
import { announceToolsChanged } from "./announce-tools-changed";
import { getBundledServerOrThrow } from "./get-bundled-server-or-throw";
import { type TApproveToolChangeInput, ZApproveToolChangeInput } from "./tool-control-schemas";

type TApproveToolChangeOptions = TApproveToolChangeInput & { userId: string };

/**
 * The owner approves a changed tool: the definition they reviewed becomes the pinned one. Only exactly
 * that version: if the backend changed the tool again since the page was loaded, approving would trust
 * a definition nobody read, so the approval is refused (CONFLICT) and the owner reviews the new one.
 */
export async function approveToolChange({ userId, ...input }: TApproveToolChangeOptions): Promise<void> {
  const { instanceId, mcpServerId, name, pendingDigest } = ZApproveToolChangeInput.parse(input);
  const { server } = await getBundledServerOrThrow({ userId, instanceId, mcpServerId });
  const db = getDb();
  const tool = await db.instanceTool.findUnique({
    where: { instanceId_mcpServerId_name: { instanceId, mcpServerId, name } },
  });
  if (!tool) {
    throw new AppError("NOT_FOUND", {
      message: `tool ${name} of server ${mcpServerId} not recorded for instance ${instanceId}`,
      userMessage: "This tool is not known for this instance. Reload the page.",
    });
  }
  const stale = new AppError("CONFLICT", {
    message: `tool ${name}: approval of ${pendingDigest}, pending is ${tool.pendingDigest ?? "none"}`,
    userMessage: "This tool changed again since the page was loaded. Reload the page and review it again.",
  });
  if (tool.pendingDigest !== pendingDigest || tool.pendingDefinition === null) throw stale;

  // The digest in the filter makes the approval atomic against a sighting recording a newer change.
  const { count } = await db.instanceTool.updateMany({
    where: { id: tool.id, pendingDigest },
    data: {
      digest: pendingDigest,
      definition: tool.pendingDefinition as Prisma.InputJsonValue,
      pendingDigest: null,
      pendingDefinition: Prisma.DbNull,
    },
  });
  if (count === 0) throw stale;

  await announceToolsChanged({
    userId,
    instanceId,
    mcpServerId,
    eventType: "instance.tool_approved",
    detail: { tool: name.slice(0, 200), serverSlug: server.slug, from: tool.digest, to: pendingDigest },
  });
}
