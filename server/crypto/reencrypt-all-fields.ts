import type { Db } from "../db";
import { getKeyRing } from "../db";
import { encryptionContext } from "./encryption-extension";
import { DecryptionError, decryptString, encryptString } from "./field-encryption";
import type { SchemaMetadata } from "./schema-metadata";

// Key rotation, step 2: after ENCRYPTION_KEY is replaced (the old key moved to
// ENCRYPTION_PREVIOUS_KEYS), rewrite every value still under an old key, so the old key can be dropped.
// Safe on a live deployment: each row is rewritten only if its values are still the ones read
// (compare-and-swap), so a token refreshed meanwhile is never overwritten with its stale predecessor;
// that row already carries the current key. A row that cannot be decrypted (tampered, or under a key
// no longer configured) is reported and left as it is; every other row is still rotated.

type Row = Record<string, string | null>;

export async function reencryptAllFields(options: {
  db: Db;
  metadata: SchemaMetadata;
}): Promise<{ reencrypted: Record<string, number>; failed: { model: string; id: string }[] }> {
  const { db, metadata } = options;
  const ring = getKeyRing();
  const currentPrefix = `enc:v1:${ring.current.id}:`;
  const reencrypted: Record<string, number> = {};
  const failed: { model: string; id: string }[] = [];

  for (const [model, fields] of Object.entries(metadata.encryptedFields)) {
    // Identifiers come from schema.prisma, never from input; values are bound parameters. A prefix
    // comparison, not LIKE, so `_` or `%` in a key id cannot act as a wildcard.
    const columns = fields.map((f) => `"${f}"`).join(", ");
    const stale = fields.map((f) => `("${f}" IS NOT NULL AND left("${f}", $2) <> $1)`).join(" OR ");
    const rows = await db.$queryRawUnsafe<(Row & { id: string })[]>(
      `SELECT id, ${columns} FROM "${model}" WHERE ${stale}`,
      currentPrefix,
      currentPrefix.length,
    );
    reencrypted[model] = 0;
    for (const row of rows) {
      let updates: Record<string, string>;
      try {
        updates = Object.fromEntries(
          fields
            .filter((f) => row[f] !== null)
            .map((f) => {
              const context = encryptionContext(model, f, row.id);
              return [f, encryptString(ring, decryptString(ring, row[f] as string, context), context)];
            }),
        );
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        failed.push({ model, id: row.id });
        continue;
      }
      const names = Object.keys(updates);
      const assignments = names.map((f, i) => `"${f}" = $${i + 2}`).join(", ");
      const unchanged = names.map((f, i) => `"${f}" = $${names.length + i + 2}`).join(" AND ");
      const changed = await db.$executeRawUnsafe(
        `UPDATE "${model}" SET ${assignments} WHERE id = $1 AND ${unchanged}`,
        row.id,
        ...names.map((f) => updates[f]),
        ...names.map((f) => row[f]),
      );
      reencrypted[model] += changed;
    }
  }
  return { reencrypted, failed };
}
