import { hasToolAccess } from "../../auth/scopes";
import { getLogger } from "../../logger";
import { decideToolState } from "../../tool-controls/decide-tool-state";
import { evaluateToolSightings, hasSightings } from "../../tool-controls/evaluate-tool-sightings";
import { readInstanceTools } from "../../tool-controls/read-instance-tools";
import { recordToolSightings } from "../../tool-controls/record-tool-sightings";
import type { TInstanceToolRecord } from "../../tool-controls/tool-control-settings";
import { toToolDefinition } from "../../tool-controls/tool-definition";
import type { TInstanceBackend } from "../get-instance-backends";
import type { TMcpRequestContext } from "../mcp-request-context";

// One server's tools as a client of an instance may see them: what the listing teaches is recorded
// first (new tools, changed definitions: evaluate-tool-sightings.ts), then only the tools the instance
// exposes and the token's scopes cover are kept, exactly as the backend listed them. The instance's
// filter and the token's scopes both apply (an intersection): neither widens the other.

export async function applyToolControls({
  ctx,
  backend,
  items,
}: {
  ctx: Pick<TMcpRequestContext, "auth" | "instanceId">;
  backend: TInstanceBackend;
  /** The server's tools/list items, in its own names. */
  items: Record<string, unknown>[];
}): Promise<{ visible: Record<string, unknown>[]; records: Map<string, TInstanceToolRecord> }> {
  const served = new Map<
    string,
    { item: Record<string, unknown>; definition: NonNullable<ReturnType<typeof toToolDefinition>> }
  >();
  for (const item of items) {
    const definition = toToolDefinition(item);
    // A name listed twice is served once, as first listed: a second definition cannot sneak past the pin.
    if (definition && !served.has(definition.name)) served.set(definition.name, { item, definition });
  }
  const known = await readInstanceTools({ instanceId: ctx.instanceId, mcpServerId: backend.mcpServerId });
  const { records, sightings } = evaluateToolSightings({
    settings: backend.toolControls,
    records: known,
    served: [...served.values()].map(({ definition }) => definition),
  });
  if (sightings.overLimit > 0) {
    getLogger().warn(
      { server: backend.slug, unrecorded: sightings.overLimit },
      "a server lists more tools than an instance records; the rest are not exposed",
    );
  }
  if (hasSightings(sightings)) {
    await recordToolSightings({
      instanceId: ctx.instanceId,
      mcpServerId: backend.mcpServerId,
      userId: ctx.auth.userId,
      serverSlug: backend.slug,
      sightings,
    });
  }
  const visible = [...served.values()].flatMap(({ item, definition }) => {
    const record = records.get(definition.name);
    return record &&
      decideToolState(backend.toolControls, record) === "exposed" &&
      hasToolAccess(ctx.auth.scopes, backend.slug, definition.name)
      ? [item]
      : [];
  });
  return { visible, records };
}
