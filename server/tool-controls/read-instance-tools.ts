import { queryHotRows, sql } from "../db-hot-query";
import type { TInstanceToolRecord } from "./tool-control-settings";

// What an instance knows of one server's tools (or of one of them): read on every tools/list and
// tools/call, so one statement on the hot-query path (db-hot-query.ts). The call path reads the one
// row it needs, by the unique (instance, server, name) index; a list reads what the rules need of every
// row (its definitions lean: name, title and annotations; no pending definition).

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
      ? // A list needs the rules' inputs only (annotations, and the title a confirmation names), not
        // every schema and pending definition of a server's tools.
        sql`
          SELECT "name", "digest",
                 jsonb_strip_nulls(jsonb_build_object('name', "name", 'title', "definition"->'title',
                   'annotations', "definition"->'annotations')) AS "definition",
                 "pendingDigest", NULL AS "pendingDefinition", "chosen", "heldAsNew", "confirm", "lastSeenAt"
          FROM "InstanceTool" WHERE "instanceId" = ${instanceId} AND "mcpServerId" = ${mcpServerId}`
      : sql`
          SELECT "name", "digest", "definition", "pendingDigest", "pendingDefinition", "chosen",
                 "heldAsNew", "confirm", "lastSeenAt"
          FROM "InstanceTool"
          WHERE "instanceId" = ${instanceId} AND "mcpServerId" = ${mcpServerId} AND "name" = ${name}`,
  );
  return new Map(rows.map((row) => [row.name, row]));
}
