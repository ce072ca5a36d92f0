import "dotenv/config";
import { reencryptAllFields } from "../server/crypto/reencrypt-all-fields";
import { getDb } from "../server/db";
import { schemaMetadata } from "../server/generated/schema-metadata";

// `npm run db:reencrypt`, step 2 of a key rotation (README, "Rotating the encryption key").

async function main(): Promise<void> {
  const result = await reencryptAllFields({ db: getDb(), metadata: schemaMetadata });
  for (const [model, count] of Object.entries(result.reencrypted))
    console.log(`${model}: ${count} re-encrypted`);
  for (const { model, id } of result.failed)
    console.error(`${model} ${id}: cannot be decrypted with the configured keys`);
  await getDb().$disconnect();
  process.exit(result.failed.length > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
