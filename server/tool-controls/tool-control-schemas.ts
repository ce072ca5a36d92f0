import { z } from "zod";
import { TOOL_STATES, ZToolSelection } from "./tool-control-settings";
import { ZToolDefinition } from "./tool-definition";

// The inputs and outputs of the owner's tool controls (the dashboard's procedures and the OpenAPI
// document). Pure zod, so client components may import it.

/** Instance ids are UUIDs; any other string matches no instance (NOT_FOUND), so only size is bounded. */
const ZId = z.string().min(1).max(64);
/** A backend's own tool name; MCP bounds it at 128 characters, a little slack costs nothing. */
const ZToolName = z.string().min(1).max(200);

export const ZListInstanceToolsInput = z.object({ instanceId: ZId });
export type TListInstanceToolsInput = z.infer<typeof ZListInstanceToolsInput>;

export const ZSetServerToolSelectionInput = z.object({
  instanceId: ZId,
  mcpServerId: ZId,
  selection: ZToolSelection,
  /** Whether tools the server adds later are exposed at once (true) or held until chosen. */
  includeNewTools: z.boolean(),
  /** Under CHOSEN: exactly the tools to expose. In any mode, held-new tools named here are included. */
  chosen: z.array(ZToolName).max(1000),
});
export type TSetServerToolSelectionInput = z.infer<typeof ZSetServerToolSelectionInput>;

export const ZApproveToolChangeInput = z.object({
  instanceId: ZId,
  mcpServerId: ZId,
  name: ZToolName,
  /** The digest of the changed definition the owner reviewed: only that version is approved. */
  pendingDigest: z.string().min(1).max(100),
});
export type TApproveToolChangeInput = z.infer<typeof ZApproveToolChangeInput>;

export const ZSetToolConfirmationInput = z.object({
  instanceId: ZId,
  mcpServerId: ZId,
  name: ZToolName,
  /** true: always ask; false: never ask; null: follow the instance's destructive-tools option. */
  confirm: z.boolean().nullable(),
});
export type TSetToolConfirmationInput = z.infer<typeof ZSetToolConfirmationInput>;

/**
 * Only the options given change: a page that toggles one option cannot reset another it read before
 * someone else changed it. At least one option must be given.
 */
export const ZSetInstanceToolOptionsInput = z
  .object({
    instanceId: ZId,
    pinToolDefinitions: z.boolean().optional(),
    confirmDestructiveTools: z.boolean().optional(),
  })
  .refine((input) => input.pinToolDefinitions !== undefined || input.confirmDestructiveTools !== undefined, {
    message: "Give pinToolDefinitions, confirmDestructiveTools or both.",
  });
export type TSetInstanceToolOptionsInput = z.infer<typeof ZSetInstanceToolOptionsInput>;

export const ZInstanceToolView = z.object({
  name: z.string(),
  /** The approved (pinned) definition. */
  definition: ZToolDefinition,
  state: z.enum(TOOL_STATES),
  needsConfirmation: z.boolean(),
  /** The owner's own say on confirmation; null follows the instance's option. */
  confirm: z.boolean().nullable(),
  chosen: z.boolean(),
  /** A changed definition the backend serves, waiting for review (null when none). */
  pending: z.object({ digest: z.string(), definition: ZToolDefinition }).nullable(),
  firstSeenAt: z.date(),
  lastSeenAt: z.date(),
});
export type TInstanceToolView = z.infer<typeof ZInstanceToolView>;

export const ZInstanceToolsView = z.object({
  instanceId: z.string(),
  instanceName: z.string(),
  pinToolDefinitions: z.boolean(),
  confirmDestructiveTools: z.boolean(),
  servers: z.array(
    z.object({
      mcpServerId: z.string(),
      slug: z.string(),
      name: z.string(),
      selection: ZToolSelection,
      includeNewTools: z.boolean(),
      tools: z.array(ZInstanceToolView),
    }),
  ),
});
export type TInstanceToolsView = z.infer<typeof ZInstanceToolsView>;
