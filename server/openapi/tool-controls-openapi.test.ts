import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildHeldToolAnswer } from "../mcp/tools/build-held-tool-answer";
import {
  ZApproveToolChangeInput,
  ZSetInstanceToolOptionsInput,
  ZSetServerToolSelectionInput,
  ZSetToolConfirmationInput,
} from "../tool-controls/tool-control-schemas";
import { AUDIT_REASON_CODES } from "./audit-reason-codes";
import { buildOpenApiDocument } from "./build-openapi-document";

// The tool controls in the API reference: the settings' schemas are the procedures' zod schemas, and
// the held-tool example has the shape the proxy answers (build-held-tool-answer.ts).

const SERVER_URL = "http://localhost:3000";
const document = buildOpenApiDocument({ serverUrl: SERVER_URL });
// biome-ignore lint/suspicious/noExplicitAny: the test walks a JSON document of any shape.
type TAny = Record<string, any>;
const schemas = document.components.schemas as TAny;
const post = (document.paths as TAny)["/mcp/{instanceId}"].post;
const examples = post.responses["200"].content["application/json"].examples as TAny;

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" });
  return rest;
};

/** The shape of a value: its keys, recursively, without the values. */
const shapeOf = (value: unknown): unknown =>
  value && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(
        Object.entries(value)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, child]) => [key, shapeOf(child)]),
      )
    : Array.isArray(value)
      ? value.map(shapeOf)
      : typeof value;

describe("tool controls in the OpenAPI document", () => {
  it("documents the settings with the procedures' zod schemas", () => {
    expect(schemas.ServerToolSelectionSettings).toEqual(jsonSchema(ZSetServerToolSelectionInput));
    expect(schemas.InstanceToolOptions).toEqual(jsonSchema(ZSetInstanceToolOptionsInput));
    expect(schemas.ToolConfirmationSetting).toEqual(jsonSchema(ZSetToolConfirmationInput));
    expect(schemas.ToolChangeApproval).toEqual(jsonSchema(ZApproveToolChangeInput));
    expect(schemas.ServerToolSelectionSettings.properties.selection.enum).toEqual([
      "ALL",
      "CHOSEN",
      "READ_ONLY",
    ]);
  });

  it("shows a hidden tool answered exactly as an unknown tool", () => {
    expect(examples.hiddenTool.value.error).toEqual({
      code: -32602,
      message: expect.stringMatching(/^Unknown tool: /),
    });
    expect(examples.hiddenTool.value.error.code).toBe(examples.unknownTool.value.error.code);
  });

  it("shows the held-tool answer with the shape the proxy sends", () => {
    const answer = buildHeldToolAnswer({
      backend: {
        mcpServerId: "s1",
        slug: "notes",
        name: "Notes",
        url: "https://notes.example/mcp",
        authType: "NONE",
        apiKeyHeaderName: null,
        apiKey: null,
        toolControls: {
          selection: "ALL",
          includeNewTools: true,
          pinToolDefinitions: true,
          confirmDestructiveTools: false,
          toolsListedBefore: true,
        },
      },
      instanceId: "i1",
      tool: "notes__list_notes",
    });
    expect(shapeOf(examples.toolChanged.value.result)).toEqual(shapeOf(answer));
    expect(examples.toolChanged.value.result._meta["tumiki/error"].error).toBe("tool_changed");
    expect(examples.toolChanged.value.result._meta["tumiki/error"].reviewUrl).toMatch(
      /\/instances\/.+#tools$/,
    );
  });

  it("names the confirmation refusals and the tool scope, and lists the tool-control audit reasons", () => {
    for (const code of [
      "confirmation_declined",
      "confirmation_timed_out",
      "confirmation_unavailable",
      "confirmation_reused",
    ]) {
      expect(post.description).toContain(code);
    }
    expect(post.description).toContain("mcp:access:<server-slug>:<tool>");
    const reasons = AUDIT_REASON_CODES.flatMap((group) => Object.keys(group.reasons));
    for (const reason of [
      "tool_hidden",
      "tool_not_chosen",
      "tool_changed",
      "new_tool",
      "definition_changed",
    ]) {
      expect(reasons).toContain(reason);
    }
  });
});
