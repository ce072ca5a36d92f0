// The text of a tool result as a client shows it: its text content blocks, joined. The SDK types
// callTool's answer loosely (it also accepts the pre-2024-11-05 `toolResult` shape), so this reads
// what it needs without a cast at every call site.

export function readToolText(result: unknown): string {
  const content = (result as { content?: unknown }).content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((block): block is { type: "text"; text: string } => block?.type === "text")
    .map((block) => block.text)
    .join("\n");
}
