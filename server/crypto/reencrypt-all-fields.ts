import type { Db } from "../db";
import { getKeyRing } from "../db";
import { DecryptionError } from "./field-encryption";
import type { SchemaMetadata } from "./schema-metadata";

// Key rotation, step 2: after ENCRYPTION_KEY is replaced (the old key moved to
// ENCRYPTION_PREVIOUS_KEYS), rewrite every value still under an old key, so the old key can be dropped.
// Row by row: each value is bound to its row. A row that cannot be decrypted (tampered, or under a key
// no longer configured) is reported and left as it is, and every other row is still rotated.

type Delegate = {
  findUniqueOrThrow(args: unknown): Promise<Record<string, unknown>>;
  update(args: unknown): Promise<unknown>;
};

export async function reencryptAllFields(options: {
  db: Db;
  metadata: SchemaMetadata;
}): Promise<{ reencrypted: Record<string, number>; failed: { model: string; id: string }[] }> {
  const { db, metadata } = options;
  const currentPrefix = `enc:v1:${getKeyRing().current.id}:`;
  const reencrypted: Record<string, number> = {};
  const failed: { model: string; id: string }[] = [];

  for (const [model, fields] of Object.entries(metadata.encryptedFields)) {
    // Identifiers come from schema.prisma, not from input; values are bound parameters.
    const stale = fields.map((f) => `("${f}" LIKE 'enc:v1:%' AND "${f}" NOT LIKE $1)`).join(" OR ");
    const rows = await db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM "${model}" WHERE ${stale}`,
      `${currentPrefix}%`,
    );
    const delegate = (db as unknown as Record<string, Delegate>)[
      model.charAt(0).toLowerCase() + model.slice(1)
    ];
    if (!delegate) throw new Error(`no Prisma delegate for ${model}`);
    reencrypted[model] = 0;
    for (const { id } of rows) {
      const select = Object.fromEntries([["id", true], ...fields.map((f) => [f, true])]);
      const row = await delegate.findUniqueOrThrow({ where: { id }, select }).catch((error: unknown) => {
        if (error instanceof DecryptionError) return undefined;
        throw error;
      });
      if (!row) {
        failed.push({ model, id });
        continue;
      }
      const data = Object.fromEntries(
        fields.filter((f) => typeof row[f] === "string").map((f) => [f, row[f]]),
      );
      await delegate.update({ where: { id }, data });
      reencrypted[model] += 1;
    }
  }
  return { reencrypted, failed };
}
