import { queryHotRows, sql } from "../db-hot-query";
import type { TInstanceToolRecord } from "./tool-control-settings";

// What an instance knows of one server's tools (or of one of them): read on every tools/list and
// tools/call, so one statement on the hot-query path (db-hot-query.ts). The call path reads the one
// row it needs, by the unique (instance, server, name) index.

type TRow = TInstanceToolRecord;

export async function readInstanceTools({
  instanceId,
  mcpServerId,
  name,
}: {
  instanceId: string;
  mcpServerId: string;
  /** Only this tool (a call); all of the server's tools when absent (a list). */
  name?: string;
}): Promise<Map<string, TInstanceToolRecord>> {
  const rows = await queryHotRows<TRow>(
    name === undefined
      ? sql`
          SELECT "name", "digest", "definition", "pendingDigest", "pendingDefinition", "chosen",
                 "heldAsNew", "confirm", "lastSeenAt"
          FROM "InstanceTool" WHERE "instanceId" = ${instanceId} AND "mcpServerId" = ${mcpServerId}`
      : sql`
          SELECT "name", "digest", "definition", "pendingDigest", "pendingDefinition", "chosen",
                 "heldAsNew", "confirm", "lastSeenAt"
          FROM "InstanceTool"
          WHERE "instanceId" = ${instanceId} AND "mcpServerId" = ${mcpServerId} AND "name" = ${name}`,
  );
  return new Map(rows.map((row) => [row.name, row]));
}
