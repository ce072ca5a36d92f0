import { describe, expect, it } from "vitest";
import { describePendingChange } from "./describe-pending-change";

describe("describePendingChange", () => {
  it("says the tool is held only when the change holds it", () => {
    expect(describePendingChange({ state: "held_changed", pinToolDefinitions: true })).toMatch(
      /do not see or call it until you approve/,
    );
    for (const state of ["exposed", "hidden", "held_new"] as const) {
      for (const pinToolDefinitions of [true, false]) {
        expect(describePendingChange({ state, pinToolDefinitions })).not.toMatch(
          /do not see or call it until/,
        );
      }
    }
  });

  it("says clients already get the new version when pinning is off", () => {
    expect(describePendingChange({ state: "exposed", pinToolDefinitions: false })).toMatch(
      /Pinning is off, so AI clients already see and call the new version/,
    );
  });

  it("says a tool the instance does not expose is seen in neither version, and what exposing it does", () => {
    for (const state of ["hidden", "held_new"] as const) {
      const pinned = describePendingChange({ state, pinToolDefinitions: true });
      const unpinned = describePendingChange({ state, pinToolDefinitions: false });
      expect(pinned).toMatch(/does not expose it now, so AI clients see neither version/);
      expect(pinned).toMatch(/stays held until you approve/);
      expect(unpinned).toMatch(/does not expose it now/);
      expect(unpinned).toMatch(/Pinning is off: should you expose it, they get the new version/);
    }
  });
});
