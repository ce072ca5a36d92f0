import path from "node:path";
import { defineConfig } from "vitest/config";

// Four kinds of tests (DESIGN.md convention 11): unit tests (*.test.ts), tests on a real database
// (*.db.test.ts, a fresh schema per file), tests on a real Redis (*.redis.test.ts, need REDIS_URL), and
// tests that run Tumiki in more than one process (*.services.test.ts: processes share state only
// through a real PostgreSQL and a real Redis, so they need both DATABASE_URL and REDIS_URL).
// scripts/test.ts picks the projects that can run here and names the tests it could not run.

const shared = {
  setupFiles: ["server/testing/setup-test-env.ts"],
  exclude: ["node_modules/**", "e2e/**", ".next/**"],
};

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          ...shared,
          name: "unit",
          include: ["**/*.test.ts", "**/*.test.tsx"],
          exclude: [...shared.exclude, "**/*.db.test.ts", "**/*.redis.test.ts", "**/*.services.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: "db",
          include: ["**/*.db.test.ts"],
          setupFiles: [...shared.setupFiles, "server/testing/setup-database.ts"],
        },
      },
      {
        extends: true,
        test: { ...shared, name: "redis", include: ["**/*.redis.test.ts"] },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: "services",
          include: ["**/*.services.test.ts"],
          setupFiles: [...shared.setupFiles, "server/testing/setup-database.ts"],
        },
      },
    ],
  },
});
