import { getAppUrl } from "../../auth/resource-urls";
import type { TInstanceBackend } from "../get-instance-backends";

// The answer to a call of a tool held back because its server changed its definition since the owner
// approved it (a possible rug pull). The client listed the tool before, so the answer says what
// happened and where the owner reviews it, as a tool error the model reads (like a down server's).

export function buildHeldToolAnswer({
  backend,
  instanceId,
  tool,
}: {
  backend: TInstanceBackend;
  instanceId: string;
  /** The tool's name as the client knows it. */
  tool: string;
}): Record<string, unknown> {
  const reviewUrl = getAppUrl(`/instances/${encodeURIComponent(instanceId)}#tools`);
  const text =
    `The tool ${tool.slice(0, 200)} of ${backend.name} changed since it was approved, so Tumiki holds it ` +
    `back until the instance's owner reviews the change: ${reviewUrl}`;
  return {
    isError: true,
    content: [{ type: "text", text }],
    _meta: {
      "tumiki/error": {
        error: "tool_changed",
        reviewUrl,
        server: { id: backend.mcpServerId, slug: backend.slug, name: backend.name },
      },
    },
  };
}
