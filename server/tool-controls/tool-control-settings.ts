import { z } from "zod";
import type { TToolDefinition } from "./tool-definition";

// The shapes of tool-level control (issue 13), the single source for the proxy, the dashboard's
// procedures and the OpenAPI document.

export const TOOL_SELECTIONS = ["ALL", "CHOSEN", "READ_ONLY"] as const;
export const ZToolSelection = z.enum(TOOL_SELECTIONS);
export type TToolSelection = z.infer<typeof ZToolSelection>;

/** How one instance treats the tools of one of its servers (McpInstance + McpInstanceConnection). */
export type TToolControlSettings = {
  selection: TToolSelection;
  /** Tools the server adds after the first sight: exposed at once (true) or held until chosen. */
  includeNewTools: boolean;
  /** Whether changed definitions are held back until the owner approves them. */
  pinToolDefinitions: boolean;
  /** Whether tools annotated `destructiveHint: true` need the user's confirmation per call. */
  confirmDestructiveTools: boolean;
  /** Whether the server's tools were listed for the instance before (McpInstanceConnection.toolsFirstListedAt). */
  toolsListedBefore: boolean;
};

/** One InstanceTool row as the rules read it. */
export type TInstanceToolRecord = {
  name: string;
  digest: string;
  definition: TToolDefinition;
  pendingDigest: string | null;
  pendingDefinition: TToolDefinition | null;
  chosen: boolean;
  heldAsNew: boolean;
  confirm: boolean | null;
  lastSeenAt: Date;
};

/**
 * What a tool is for an instance's clients:
 * - `exposed`: listed and callable;
 * - `hidden`: left out by the owner's selection; a call is answered as for an unknown tool;
 * - `held_new`: added by the server while new tools are held back, not chosen yet (hidden the same way);
 * - `held_changed`: its definition changed since it was approved; a call gets a tool error naming the
 *   change, since the client saw the tool before.
 */
export const TOOL_STATES = ["exposed", "hidden", "held_new", "held_changed"] as const;
export type TToolState = (typeof TOOL_STATES)[number];
