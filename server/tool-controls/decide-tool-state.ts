import type { TInstanceToolRecord, TToolControlSettings, TToolState } from "./tool-control-settings";
import { isDestructiveTool, isReadOnlyTool } from "./tool-definition";

// The rules of tool-level control over one recorded tool. Every rule reads the approved (pinned)
// definition, never a changed one a backend now serves: a server cannot make a tool read-only, or
// undo its destructive hint, by changing it.

export function decideToolState(settings: TToolControlSettings, tool: TInstanceToolRecord): TToolState {
  const chosen = decideChosenState(settings, tool);
  // Only a tool the client could see is "held for a change": a hidden tool stays indistinguishable
  // from an unknown one whatever its server does to it (its change still awaits review on the page).
  const held = chosen === "exposed" && settings.pinToolDefinitions && tool.pendingDigest !== null;
  return held ? "held_changed" : chosen;
}

/** What the owner's choices alone make of the tool. */
function decideChosenState(settings: TToolControlSettings, tool: TInstanceToolRecord): TToolState {
  if (tool.chosen && settings.selection === "CHOSEN") return "exposed";
  if (tool.heldAsNew) return "held_new";
  if (settings.selection === "CHOSEN") return "hidden";
  if (settings.selection === "READ_ONLY") return isReadOnlyTool(tool.definition) ? "exposed" : "hidden";
  return "exposed";
}

/** Whether each call of the tool needs the user's confirmation: the owner's own say, else the hint. */
export function needsConfirmation(settings: TToolControlSettings, tool: TInstanceToolRecord): boolean {
  return tool.confirm ?? (settings.confirmDestructiveTools && isDestructiveTool(tool.definition));
}
