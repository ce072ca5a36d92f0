import { z } from "zod";

// A zod schema as the JSON Schema 2020-12 object an OpenAPI 3.1 document embeds (the dialect is the
// document's, so the `$schema` key is dropped). `input` for what a client sends (defaults are optional
// there), `output` for what Tumiki answers.

export function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io, target: "draft-2020-12" });
  return jsonSchema;
}
