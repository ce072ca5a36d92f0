import { describe, expect, it } from "vitest";
import { decideToolState, needsConfirmation } from "./decide-tool-state";
import type {
  TInstanceToolRecord,
  TToolControlSettings,
  TToolSelection,
  TToolState,
} from "./tool-control-settings";
import { digestToolDefinition, type TToolDefinition } from "./tool-definition";

// Every combination of the owner's selection, a tool's "held as new", "chosen" and read-only hint, a
// pending change, and pinning on or off, with the state written out row by row.

const settings = (over: Partial<TToolControlSettings> = {}): TToolControlSettings => ({
  selection: "ALL",
  includeNewTools: true,
  pinToolDefinitions: true,
  confirmDestructiveTools: false,
  toolsListedBefore: false,
  ...over,
});

const definitionOf = (annotations?: Record<string, unknown>): TToolDefinition => ({
  name: "tool",
  description: "A tool.",
  inputSchema: { type: "object" },
  ...(annotations ? { annotations } : {}),
});

function record(over: {
  chosen?: boolean;
  heldAsNew?: boolean;
  readOnly?: boolean;
  destructive?: boolean;
  pending?: TToolDefinition | null;
  confirm?: boolean | null;
}): TInstanceToolRecord {
  const definition = definitionOf({
    ...(over.readOnly ? { readOnlyHint: true } : {}),
    ...(over.destructive ? { destructiveHint: true } : {}),
  });
  const pending = over.pending ?? null;
  return {
    name: "tool",
    digest: digestToolDefinition(definition),
    definition,
    pendingDigest: pending ? digestToolDefinition(pending) : null,
    pendingDefinition: pending,
    chosen: over.chosen ?? true,
    heldAsNew: over.heldAsNew ?? false,
    confirm: over.confirm ?? null,
    lastSeenAt: new Date(),
  };
}

// selection, heldAsNew, chosen, readOnly → state (no pending change)
const TABLE: [TToolSelection, boolean, boolean, boolean, TToolState][] = [
  ["ALL", false, false, false, "exposed"],
  ["ALL", false, false, true, "exposed"],
  ["ALL", false, true, false, "exposed"],
  ["ALL", false, true, true, "exposed"],
  ["ALL", true, false, false, "held_new"],
  ["ALL", true, false, true, "held_new"],
  ["ALL", true, true, false, "held_new"],
  ["ALL", true, true, true, "held_new"],
  ["READ_ONLY", false, false, false, "hidden"],
  ["READ_ONLY", false, false, true, "exposed"],
  ["READ_ONLY", false, true, false, "hidden"],
  ["READ_ONLY", false, true, true, "exposed"],
  ["READ_ONLY", true, false, false, "held_new"],
  ["READ_ONLY", true, false, true, "held_new"],
  ["READ_ONLY", true, true, false, "held_new"],
  ["READ_ONLY", true, true, true, "held_new"],
  ["CHOSEN", false, false, false, "hidden"],
  ["CHOSEN", false, false, true, "hidden"],
  ["CHOSEN", false, true, false, "exposed"],
  ["CHOSEN", false, true, true, "exposed"],
  ["CHOSEN", true, false, false, "held_new"],
  ["CHOSEN", true, false, true, "held_new"],
  ["CHOSEN", true, true, false, "exposed"],
  ["CHOSEN", true, true, true, "exposed"],
];

describe("decideToolState", () => {
  describe.each([true, false])("pinning %s", (pinToolDefinitions) => {
    it.each(
      TABLE,
    )("%s, heldAsNew %s, chosen %s, readOnly %s → %s", (selection, heldAsNew, chosen, readOnly, state) => {
      const settled = settings({ selection, pinToolDefinitions });
      expect(decideToolState(settled, record({ heldAsNew, chosen, readOnly }))).toBe(state);
    });

    it.each(
      TABLE,
    )("%s, heldAsNew %s, chosen %s, readOnly %s, a change pending (else %s)", (selection, heldAsNew, chosen, readOnly, state) => {
      const pending = definitionOf({ readOnlyHint: readOnly, extra: "changed" });
      const settled = settings({ selection, pinToolDefinitions });
      // Only a tool the client could see is held for its change; a hidden or held-new one stays as it
      // was, indistinguishable from an unknown tool whatever its server does to it.
      expect(decideToolState(settled, record({ heldAsNew, chosen, readOnly, pending }))).toBe(
        pinToolDefinitions && state === "exposed" ? "held_changed" : state,
      );
    });
  });

  it("does not expose a tool whose server flipped readOnlyHint on: the approved definition counts", () => {
    const flipped = definitionOf({ readOnlyHint: true });
    const tool = record({ readOnly: false, pending: flipped });
    expect(decideToolState(settings({ selection: "READ_ONLY" }), tool)).toBe("hidden");
    expect(decideToolState(settings({ selection: "READ_ONLY", pinToolDefinitions: false }), tool)).toBe(
      "hidden",
    );
  });

  it("keeps a read-only tool exposed under READ_ONLY until a change dropping the hint is reviewed", () => {
    const dropped = definitionOf({ readOnlyHint: false });
    const tool = record({ readOnly: true, pending: dropped });
    expect(decideToolState(settings({ selection: "READ_ONLY" }), tool)).toBe("held_changed");
    expect(decideToolState(settings({ selection: "READ_ONLY", pinToolDefinitions: false }), tool)).toBe(
      "exposed",
    );
  });
});

describe("needsConfirmation", () => {
  it.each<[boolean | null, boolean, boolean, boolean]>([
    // confirm, confirmDestructiveTools, destructiveHint → needs confirmation
    [null, false, false, false],
    [null, false, true, false],
    [null, true, false, false],
    [null, true, true, true],
    [true, false, false, true],
    [true, true, false, true],
    [false, true, true, false],
    [false, false, true, false],
  ])("confirm %s, confirmDestructiveTools %s, destructive %s → %s", (confirm, option, destructive, expected) => {
    expect(
      needsConfirmation(settings({ confirmDestructiveTools: option }), record({ confirm, destructive })),
    ).toBe(expected);
  });

  it("reads the approved definition: a server dropping destructiveHint still gets asked", () => {
    const tool = record({ destructive: true, pending: definitionOf({ destructiveHint: false }) });
    expect(needsConfirmation(settings({ confirmDestructiveTools: true }), tool)).toBe(true);
    const added = record({ destructive: false, pending: definitionOf({ destructiveHint: true }) });
    expect(needsConfirmation(settings({ confirmDestructiveTools: true }), added)).toBe(false);
  });
});
