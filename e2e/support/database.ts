import pg from "pg";

// A connection to the app's PostgreSQL, for the few rows no API creates as a spec needs them: audit rows
// at chosen times (the usage dashboard's charts), a backend token about to expire. The app under test
// uses the same DATABASE_URL (CI exports it; locally pass it to Playwright, as `npm start` inherits it).
// Values are always bound parameters.

export async function queryDatabase<T>(text: string, values: unknown[] = []): Promise<T[]> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      "This spec seeds rows in the app's database: set DATABASE_URL to the PostgreSQL the app uses (CI does).",
    );
  }
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema");
  parsed.searchParams.delete("schema");
  const client = new pg.Client({
    connectionString: parsed.toString(),
    ...(schema ? { options: `-c search_path="${schema.replaceAll('"', '""')}"` } : {}),
  });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}
