import { isDestructiveTool, type TToolDefinition } from "../../tool-controls/tool-definition";
import type { TInstanceBackend } from "../get-instance-backends";
import type { TInputRequest } from "../input/input-request";
import { summarizeToolArguments } from "./summarize-tool-arguments";

// The question a person answers before a tool that needs confirmation runs: a form elicitation with no
// fields (accept is the yes), whose message names the server, the tool and what it is about to be
// called with. `mode` is left out: form is the default in every revision, and older 2025 clients do
// not know the field.

/** Names from a backend or a user, on one line: no control or reordering character can fake a line. */
const oneLine = (text: string, max: number) =>
  text.replace(/[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, " ").slice(0, max);

export function buildConfirmationRequest({
  backend,
  tool,
  definition,
  args,
}: {
  backend: Pick<TInstanceBackend, "name">;
  /** The backend's own name of the tool. */
  tool: string;
  /** The approved (pinned) definition: what the owner's rules read. */
  definition: TToolDefinition;
  args: unknown;
}): TInputRequest {
  const title = definition.title ? ` (${oneLine(definition.title, 100)})` : "";
  const why = isDestructiveTool(definition)
    ? "The server marks this tool as destructive: it may delete or overwrite data."
    : "This instance asks for confirmation of each call of this tool.";
  const message = [
    `Allow ${oneLine(backend.name, 100)} to run the tool ${JSON.stringify(oneLine(tool, 200))}${title}?`,
    why,
    "Arguments:",
    ...summarizeToolArguments(args).map((line) => `  ${line}`),
    "Accept runs this call once; decline refuses it.",
  ].join("\n");
  return {
    method: "elicitation/create",
    params: { message, requestedSchema: { type: "object", properties: {} } },
  };
}
