import { getDb } from "../db";
import { announceToolsChanged } from "./announce-tools-changed";
import { getBundledServerOrThrow } from "./get-bundled-server-or-throw";
import { type TSetServerToolSelectionInput, ZSetServerToolSelectionInput } from "./tool-control-schemas";

type TSetServerToolSelectionOptions = TSetServerToolSelectionInput & { userId: string };

/**
 * Which of a server's tools an instance exposes. Under CHOSEN, `chosen` is the whole choice over the
 * recorded tools (a chosen tool is no longer held as new). In every mode, choosing a tool held as new
 * includes it: that is how the owner lets in a tool the server added later.
 */
export async function setServerToolSelection({
  userId,
  ...input
}: TSetServerToolSelectionOptions): Promise<void> {
  const { instanceId, mcpServerId, selection, includeNewTools, chosen } =
    ZSetServerToolSelectionInput.parse(input);
  const { link, server } = await getBundledServerOrThrow({ userId, instanceId, mcpServerId });
  const names = [...new Set(chosen)];

  const included = await getDb().$transaction(async (tx) => {
    await tx.mcpInstanceConnection.update({
      where: { instanceId_userMcpConfigId: { instanceId, userMcpConfigId: link.userMcpConfigId } },
      data: { toolSelection: selection, includeNewTools },
    });
    const { count } = await tx.instanceTool.updateMany({
      where: { instanceId, mcpServerId, name: { in: names }, heldAsNew: true },
      data: { heldAsNew: false, chosen: true },
    });
    if (selection === "CHOSEN") {
      await tx.instanceTool.updateMany({
        where: { instanceId, mcpServerId, name: { in: names } },
        data: { chosen: true },
      });
      await tx.instanceTool.updateMany({
        where: { instanceId, mcpServerId, name: { notIn: names } },
        data: { chosen: false },
      });
    }
    return count;
  });

  await announceToolsChanged({
    userId,
    instanceId,
    mcpServerId,
    detail: {
      serverSlug: server.slug,
      selection,
      includeNewTools,
      ...(selection === "CHOSEN" ? { chosen: names.slice(0, 100) } : {}),
      ...(included > 0 ? { includedNewTools: included } : {}),
    },
  });
}
