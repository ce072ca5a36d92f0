/**
 * Whether a database error is a unique-constraint violation (Prisma's P2002; server/db-adapter.ts maps
 * PGlite's error to the same code), i.e. someone else wrote the same key first.
 */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "P2002";
}
