import { getDb } from "../db";
import { getInstanceOrThrow } from "../instances/get-instance-or-throw";
import { decideToolState, needsConfirmation } from "./decide-tool-state";
import {
  type TInstanceToolsView,
  type TListInstanceToolsInput,
  ZListInstanceToolsInput,
} from "./tool-control-schemas";
import type { TInstanceToolRecord, TToolControlSettings } from "./tool-control-settings";
import type { TToolDefinition } from "./tool-definition";

type TListInstanceToolsOptions = TListInstanceToolsInput & { userId: string };

/**
 * What the owner sees of an instance's tools: its options, and per bundled server the tools clients
 * listed through the instance, each with the state the proxy gives it (the same rules, decide-tool-state.ts).
 * A server nobody listed yet has no tools here: Tumiki learns them from real lists, never by probing.
 */
export async function listInstanceTools({
  userId,
  ...input
}: TListInstanceToolsOptions): Promise<TInstanceToolsView> {
  const { instanceId } = ZListInstanceToolsInput.parse(input);
  const instance = await getInstanceOrThrow({ userId, instanceId });
  const db = getDb();
  const links = await db.mcpInstanceConnection.findMany({
    where: { instanceId, connection: { userId } },
    include: { connection: { include: { mcpServer: { select: { id: true, slug: true, name: true } } } } },
  });
  const serverIds = links.map((link) => link.connection.mcpServer.id);
  const rows = await db.instanceTool.findMany({
    where: { instanceId, mcpServerId: { in: serverIds } },
    orderBy: { name: "asc" },
  });

  const servers = links
    .map((link) => {
      const server = link.connection.mcpServer;
      const settings: TToolControlSettings = {
        selection: link.toolSelection,
        includeNewTools: link.includeNewTools,
        pinToolDefinitions: instance.pinToolDefinitions,
        confirmDestructiveTools: instance.confirmDestructiveTools,
        toolsListedBefore: link.toolsFirstListedAt !== null,
      };
      const tools = rows
        .filter((row) => row.mcpServerId === server.id)
        .map((row) => {
          // Written from parsed tool definitions (record-tool-sightings.ts), so they are definitions.
          const record: TInstanceToolRecord = {
            ...row,
            definition: row.definition as TToolDefinition,
            pendingDefinition: row.pendingDefinition as TToolDefinition | null,
          };
          return {
            name: row.name,
            definition: record.definition,
            state: decideToolState(settings, record),
            needsConfirmation: needsConfirmation(settings, record),
            confirm: row.confirm,
            chosen: row.chosen,
            pending:
              row.pendingDigest !== null && record.pendingDefinition !== null
                ? { digest: row.pendingDigest, definition: record.pendingDefinition }
                : null,
            firstSeenAt: row.firstSeenAt,
            lastSeenAt: row.lastSeenAt,
          };
        });
      return {
        mcpServerId: server.id,
        slug: server.slug,
        name: server.name,
        selection: link.toolSelection,
        includeNewTools: link.includeNewTools,
        tools,
      };
    })
    .sort((a, b) => a.slug.localeCompare(b.slug));

  return {
    instanceId: instance.id,
    instanceName: instance.name,
    pinToolDefinitions: instance.pinToolDefinitions,
    confirmDestructiveTools: instance.confirmDestructiveTools,
    servers,
  };
}
