import pg from "pg";
import { runChildProcessOrThrow } from "./start-child-process";

// A PostgreSQL database of the bench's own, next to the one DATABASE_URL names, migrated with the
// committed migrations (`prisma migrate deploy`, as `npm start` does) and dropped afterwards: a bench
// run never reads or leaves rows in anyone's data.

export type TBenchDatabase = { name: string; url: string; drop(): Promise<void> };

const withAdminClient = async <T>(baseUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
};

export async function createBenchDatabase(options: {
  baseUrl: string;
  env: NodeJS.ProcessEnv;
}): Promise<TBenchDatabase> {
  const name = `tumiki_bench_${Date.now()}`;
  const url = new URL(options.baseUrl);
  url.pathname = `/${name}`;
  // A schema parameter (test setups use one) would point at a schema the new database lacks.
  url.searchParams.delete("schema");

  await withAdminClient(options.baseUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const drop = () =>
    withAdminClient(options.baseUrl, async (client) => {
      // FORCE: a connection a crashed child left open must not keep the database alive.
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });
  try {
    await runChildProcessOrThrow({
      name: "prisma migrate deploy",
      command: "npx",
      args: ["prisma", "migrate", "deploy"],
      env: { ...options.env, DATABASE_URL: url.toString() },
    });
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, url: url.toString(), drop };
}
