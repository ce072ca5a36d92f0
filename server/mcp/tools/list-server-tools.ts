import type { TInstanceToolRecord } from "../../tool-controls/tool-control-settings";
import type { TInstanceBackend } from "../get-instance-backends";
import { listOneBackend } from "../list-from-backends";
import type { TMcpRequestContext } from "../mcp-request-context";
import { applyToolControls } from "./apply-tool-controls";

// One server's tools through the instance's tool controls, outside an aggregated tools/list: a call
// to a tool the instance does not expose as far as it knows (refreshed before it is refused), and
// a list change to compare against what the client saw.

export async function listServerTools({
  ctx,
  backend,
}: {
  ctx: TMcpRequestContext;
  backend: TInstanceBackend;
}): Promise<{
  visible: Record<string, unknown>[];
  /** Everything the server listed, before the rules. */
  served: Record<string, unknown>[];
  records: Map<string, TInstanceToolRecord>;
}> {
  let records = new Map<string, TInstanceToolRecord>();
  let served: Record<string, unknown>[] = [];
  const { items } = await listOneBackend(
    {
      ctx,
      method: "tools/list",
      itemsKey: "tools",
      capability: "tools",
      mapItem: (_backend, item) => item,
      select: async (selected, items) => {
        served = items;
        const applied = await applyToolControls({ ctx, backend: selected, items });
        records = applied.records;
        return applied.visible;
      },
    },
    backend,
  );
  return { visible: items, served, records };
}
