import { getDb } from "../db";
import { AppError } from "../errors";
import { announceToolsChanged } from "./announce-tools-changed";
import { getBundledServerOrThrow } from "./get-bundled-server-or-throw";
import { type TSetToolConfirmationInput, ZSetToolConfirmationInput } from "./tool-control-schemas";

type TSetToolConfirmationOptions = TSetToolConfirmationInput & { userId: string };

/** The owner's own say on confirming one tool's calls: always, never, or (null) the instance's rule. */
export async function setToolConfirmation({ userId, ...input }: TSetToolConfirmationOptions): Promise<void> {
  const { instanceId, mcpServerId, name, confirm } = ZSetToolConfirmationInput.parse(input);
  const { server } = await getBundledServerOrThrow({ userId, instanceId, mcpServerId });
  const { count } = await getDb().instanceTool.updateMany({
    where: { instanceId, mcpServerId, name },
    data: { confirm },
  });
  if (count === 0) {
    throw new AppError("NOT_FOUND", {
      message: `tool ${name} of server ${mcpServerId} not recorded for instance ${instanceId}`,
      userMessage: "This tool is not known for this instance. Reload the page.",
    });
  }
  await announceToolsChanged({
    userId,
    instanceId,
    mcpServerId,
    detail: { serverSlug: server.slug, tool: name.slice(0, 200), confirm },
  });
}
