// What the encryption extension needs to know about the Prisma schema: which fields are marked
// `/// @encrypted`, and each model's relation fields (to find encrypted values in nested results).

export type SchemaMetadata = {
  encryptedFields: Record<string, string[]>;
  relations: Record<string, Record<string, string>>;
};

const SCALARS = new Set([
  "String",
  "Int",
  "BigInt",
  "Float",
  "Decimal",
  "Boolean",
  "DateTime",
  "Json",
  "Bytes",
]);

export function parseSchemaMetadata(schema: string): SchemaMetadata {
  const blocks = [...schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const modelNames = new Set(blocks.map((block) => block[1] as string));
  const encryptedFields: Record<string, string[]> = {};
  const relations: Record<string, Record<string, string>> = {};

  for (const [, model, body] of blocks as unknown as [string, string, string][]) {
    let markedEncrypted = false;
    for (const rawLine of body.split("\n")) {
      const line = rawLine.trim();
      if (line.startsWith("///")) {
        if (/^\/\/\/\s*@encrypted\b/.test(line)) markedEncrypted = true;
        continue;
      }
      const field = line.match(/^(\w+)\s+(\w+)(\[\])?(\?)?/);
      if (!field || line.startsWith("@@") || line.startsWith("//")) continue;
      const [, name, type] = field as unknown as [string, string, string];
      const encrypted = markedEncrypted || /\/\/\/\s*@encrypted\b/.test(line);
      markedEncrypted = false;
      if (encrypted) {
        if (type !== "String") throw new Error(`${model}.${name}: only String fields can be @encrypted`);
        encryptedFields[model] = [...(encryptedFields[model] ?? []), name];
      }
      if (modelNames.has(type) && !SCALARS.has(type)) {
        relations[model] = { ...(relations[model] ?? {}), [name]: type };
      }
    }
  }
  return { encryptedFields, relations };
}
