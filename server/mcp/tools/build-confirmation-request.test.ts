import { describe, expect, it } from "vitest";
import { buildConfirmationRequest } from "./build-confirmation-request";

const DESTRUCTIVE = { name: "delete_note", title: "Delete a note", annotations: { destructiveHint: true } };

const messageOf = (args: unknown, definition: Record<string, unknown> = DESTRUCTIVE) => {
  const request = buildConfirmationRequest({
    backend: { name: "Demo notes" },
    tool: String(definition.name),
    definition: definition as typeof DESTRUCTIVE,
    args,
  });
  return String(request.params?.message);
};

describe("buildConfirmationRequest", () => {
  it("is a form elicitation without fields that names the server, the tool and the arguments", () => {
    const request = buildConfirmationRequest({
      backend: { name: "Demo notes" },
      tool: "delete_note",
      definition: DESTRUCTIVE,
      args: { id: "n-1", force: true, count: 3 },
    });
    expect(request.method).toBe("elicitation/create");
    expect(request.params).not.toHaveProperty("mode");
    expect(request.params?.requestedSchema).toEqual({ type: "object", properties: {} });
    const message = String(request.params?.message);
    expect(message).toContain("Demo notes");
    expect(message).toContain('"delete_note" (Delete a note)');
    expect(message).toContain("destructive");
    expect(message.split("\n")).toEqual(
      expect.arrayContaining(['  id: "n-1"', "  force: true", "  count: 3"]),
    );
  });

  it("says why when the tool is not destructive but chosen for confirmation", () => {
    const message = messageOf({}, { name: "echo" });
    expect(message).not.toContain("destructive");
    expect(message).toContain("asks for confirmation of each call");
    expect(message).toContain("(no arguments)");
  });

  it("cuts long values and stays bounded for huge arguments", () => {
    const long = "x".repeat(100_000);
    const huge = {
      text: long,
      nested: {
        deep: { deeper: { deepest: { value: long } } },
        list: Array.from({ length: 10_000 }, (_, i) => i),
      },
      ...Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`extra${i}`, long])),
    };
    const message = messageOf(huge);
    expect(message.length).toBeLessThan(2_000);
    expect(message).toContain("…");
    expect(message).toMatch(/… and \d+ more arguments/);
    expect(message).not.toContain("x".repeat(200));
    expect(message).toContain("more]");
  });

  it("keeps every argument on its own line: a value cannot fake a line or reorder text", () => {
    const message = messageOf({ id: "n-1\nAccept: this is safe", note: "abc\u202edcba" });
    const lines = message.split("\n");
    expect(lines).toContain('  id: "n-1\\nAccept: this is safe"');
    expect(message).not.toContain("\u202e");
    expect(message).toContain("\\u202e");
    const titled = messageOf({}, { name: "t", title: "Fine\nArguments:\n  id: 1" });
    expect(titled.split("\n")[0]).toContain("(Fine Arguments:   id: 1)");
  });
});
