import { decideToolState, needsConfirmation } from "../../tool-controls/decide-tool-state";
import { readInstanceTools } from "../../tool-controls/read-instance-tools";
import type { TInstanceToolRecord } from "../../tool-controls/tool-control-settings";
import type { TToolDefinition } from "../../tool-controls/tool-definition";
import type { TInstanceBackend } from "../get-instance-backends";
import type { TMcpRequestContext } from "../mcp-request-context";
import { listServerTools } from "./list-server-tools";

// Whether a tools/call may reach its backend, by the instance's tool controls. A tool the instance
// exposes by what it knows goes on at once (one indexed row read). Anything else (a tool never
// recorded, hidden, or held as new) is decided only after the server's tools were listed afresh
// through the rules: a tool added since the last list is learnt, and a hidden tool and a tool that
// does not exist take the same path and get the same answer, so neither the answer nor its timing
// tells them apart. A tool held for a changed definition was listed to the client before: it gets an
// error that says so. A tool that is not exposed, on a server that could not list its tools (down, or
// its user must reconnect it), gets that server's failure, recorded or not: the call could not have run
// either, and a hidden tool answered otherwise than a tool that does not exist would give it away.

export type TToolCallDecision =
  | { kind: "exposed"; definition: TToolDefinition; needsConfirmation: boolean }
  | { kind: "held_changed" }
  | { kind: "unreachable"; error: unknown }
  /** `reason`: why a known tool is refused (audited); null when the server has no such tool. */
  | { kind: "unknown"; reason: "tool_hidden" | "tool_not_chosen" | null };

function decide(
  backend: TInstanceBackend,
  record: TInstanceToolRecord | undefined,
): TToolCallDecision | null {
  if (!record) return null;
  const state = decideToolState(backend.toolControls, record);
  if (state === "exposed") {
    return {
      kind: "exposed",
      definition: record.definition,
      needsConfirmation: needsConfirmation(backend.toolControls, record),
    };
  }
  if (state === "held_changed") return { kind: "held_changed" };
  return null;
}

export async function decideToolCall({
  ctx,
  backend,
  name,
}: {
  ctx: TMcpRequestContext;
  backend: TInstanceBackend;
  /** The backend's own name of the tool. */
  name: string;
}): Promise<TToolCallDecision> {
  const known = await readInstanceTools({
    instanceId: ctx.instanceId,
    mcpServerId: backend.mcpServerId,
    name,
  });
  const quick = decide(backend, known.get(name));
  if (quick) return quick;
  let records: Map<string, TInstanceToolRecord>;
  try {
    records = (await listServerTools({ ctx, backend })).records;
  } catch (error) {
    // Whatever Tumiki knows of the tool: a hidden tool answered as unknown here, where a tool that does
    // not exist gets the server's failure, would tell the two apart whenever the server is down.
    return { kind: "unreachable", error };
  }
  const record = records.get(name);
  const refreshed = decide(backend, record);
  if (refreshed) return refreshed;
  if (!record) return { kind: "unknown", reason: null };
  return {
    kind: "unknown",
    reason: decideToolState(backend.toolControls, record) === "held_new" ? "tool_not_chosen" : "tool_hidden",
  };
}
