import { Prisma } from "../generated/prisma/client";
import { databaseErrors } from "./tumiki-metrics";

// A Prisma extension that counts failed database operations. An error the query itself answers for
// (a unique constraint, a row that is not there: P2xxx) is how the code learns about data and is
// handled where it happens; what is counted is the database failing: connections, timeouts, a
// closed pool (P1xxx, P2024 "timed out fetching a connection", driver and engine errors).

const isDataError = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError &&
  error.code.startsWith("P2") &&
  error.code !== "P2024";

export function countDatabaseErrors() {
  return Prisma.defineExtension({
    name: "count-database-errors",
    query: {
      async $allOperations({ args, query }) {
        try {
          return await query(args);
        } catch (error) {
          if (!isDataError(error)) databaseErrors.inc();
          throw error;
        }
      },
    },
  });
}
