import type { TToolState } from "@/server/tool-controls/tool-control-settings";

// What a changed tool's definition means for AI clients right now, said under the side-by-side
// (tool-change-review.tsx). The review shows for every recorded change, but the change holds the tool
// only when the tool is exposed and pinning is on (decide-tool-state.ts).

export function describePendingChange({
  state,
  pinToolDefinitions,
}: {
  state: TToolState;
  pinToolDefinitions: boolean;
}): string {
  if (state === "held_changed") return "AI clients do not see or call it until you approve the new version.";
  if (state === "exposed")
    return (
      "Pinning is off, so AI clients already see and call the new version; the next list makes it the " +
      "approved one, or approve it now."
    );
  return pinToolDefinitions
    ? "This instance does not expose it now, so AI clients see neither version. Should you expose it, " +
        "it stays held until you approve the new version."
    : "This instance does not expose it now, so AI clients see neither version. Pinning is off: should " +
        "you expose it, they get the new version.";
}
