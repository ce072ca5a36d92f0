import { REFRESH_TOKEN_TTL_SECONDS } from "../../auth/token-lifetimes";
import type { Db } from "../../db";

// What the clean-up job deletes, table by table, in the order it runs (tokens before the families they
// belong to; the audit log, the largest, last, so a run that hits its time budget has done the rest).
//
// Nothing is deleted in the first day after it stopped mattering (GRACE_MS): that covers requests in
// flight and clock differences between app servers and the database, and for a day keeps the precise
// answers these rows give ("code already used" revokes what the code issued, RFC 6749 §4.1.2; "this
// authorization expired" rather than "unknown state"). After it, a replayed code, token or state is
// refused as unknown, which is as safe: each of them had expired and could not be exchanged anyway.
//
// Each statement deletes at most `limit` rows it locked with FOR UPDATE SKIP LOCKED: a second run at the
// same time takes other rows, so every row is deleted, and counted, by exactly one run; a batch that
// returns fewer than `limit` rows means nothing unlocked is left.

const DAY_MS = 24 * 3600 * 1000;
const GRACE_MS = DAY_MS;

type TDeleteBatchOptions = {
  db: Db;
  now: Date;
  auditRetentionDays: number;
  toolRecordRetentionDays: number;
  limit: number;
};

const before = (now: Date, ms: number) => new Date(now.getTime() - ms);

export const CLEANUP_RULES = [
  {
    // Used or not: a code lives ten minutes, and consumedAt only matters for replay detection.
    table: "authorization_code",
    deleteBatch: ({ db, now, limit }: TDeleteBatchOptions) => db.$executeRaw`
      WITH batch AS (
        SELECT "id" FROM "AuthorizationCode" WHERE "expiresAt" < ${before(now, GRACE_MS)}
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      DELETE FROM "AuthorizationCode" t USING batch WHERE t."id" = batch."id"`,
  },
  {
    // A token past `exp` fails its JWT check before its record is read; revoked or not, the record is moot.
    table: "issued_access_token",
    deleteBatch: ({ db, now, limit }: TDeleteBatchOptions) => db.$executeRaw`
      WITH batch AS (
        SELECT "jti" FROM "IssuedAccessToken" WHERE "expiresAt" < ${before(now, GRACE_MS)}
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      DELETE FROM "IssuedAccessToken" t USING batch WHERE t."jti" = batch."jti"`,
  },
  {
    // Rotated ones too: until expiresAt a replayed rotated token revokes its family; after it, it is dead.
    table: "refresh_token",
    deleteBatch: ({ db, now, limit }: TDeleteBatchOptions) => db.$executeRaw`
      WITH batch AS (
        SELECT "id" FROM "RefreshToken" WHERE "expiresAt" < ${before(now, GRACE_MS)}
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      DELETE FROM "RefreshToken" t USING batch WHERE t."id" = batch."id"`,
  },
  {
    // A family is issued from for REFRESH_TOKEN_TTL after its last use (each use stamps lastUsedAt and
    // mints a token that lives that long), so past that and the grace, with no token row left, it is
    // over. The newest family of each user and client is kept all the same: the AI clients page takes
    // "Last token issued" from the families, and one row per user and client does not grow.
    table: "refresh_token_family",
    deleteBatch: ({ db, now, limit }: TDeleteBatchOptions) => db.$executeRaw`
      WITH batch AS (
        SELECT f."id" FROM "RefreshTokenFamily" f
        WHERE COALESCE(f."lastUsedAt", f."createdAt") < ${before(now, REFRESH_TOKEN_TTL_SECONDS * 1000 + GRACE_MS)}
          AND NOT EXISTS (SELECT 1 FROM "RefreshToken" r WHERE r."familyId" = f."id")
          AND NOT EXISTS (SELECT 1 FROM "IssuedAccessToken" a WHERE a."familyId" = f."id")
          AND EXISTS (
            SELECT 1 FROM "RefreshTokenFamily" n
            WHERE n."userId" = f."userId" AND n."clientId" = f."clientId"
              AND (COALESCE(n."lastUsedAt", n."createdAt"), n."id") > (COALESCE(f."lastUsedAt", f."createdAt"), f."id"))
        LIMIT ${limit} FOR UPDATE OF f SKIP LOCKED)
      DELETE FROM "RefreshTokenFamily" t USING batch WHERE t."id" = batch."id"`,
  },
  {
    // Used or not, as authorization codes: a state lives ten minutes.
    table: "backend_authorization_state",
    deleteBatch: ({ db, now, limit }: TDeleteBatchOptions) => db.$executeRaw`
      WITH batch AS (
        SELECT "id" FROM "BackendAuthorizationState" WHERE "expiresAt" < ${before(now, GRACE_MS)}
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      DELETE FROM "BackendAuthorizationState" t USING batch WHERE t."id" = batch."id"`,
  },
  {
    // A deleted client's consents went with it (ON DELETE CASCADE). What is left: consents the user
    // revoked, which every reader treats as no consent at all (a new approval starts over), and consents
    // for a client that was disabled (a deleted M2M client, kept as a row for its revoked tokens), which
    // nothing can use again.
    table: "consent",
    deleteBatch: ({ db, now, limit }: TDeleteBatchOptions) => db.$executeRaw`
      WITH batch AS (
        SELECT c."id" FROM "Consent" c
        WHERE c."revokedAt" < ${before(now, GRACE_MS)}
           OR EXISTS (SELECT 1 FROM "AiClient" a
                      WHERE a."id" = c."clientId" AND a."disabledAt" < ${before(now, GRACE_MS)})
        LIMIT ${limit} FOR UPDATE OF c SKIP LOCKED)
      DELETE FROM "Consent" t USING batch WHERE t."id" = batch."id"`,
  },
  {
    // Auth.js tables. Dashboard sessions are JWT cookies today, so these stay empty unless the adapter's
    // database sessions or email sign-in are turned on; their expired rows are deleted all the same.
    table: "session",
    deleteBatch: ({ db, now, limit }: TDeleteBatchOptions) => db.$executeRaw`
      WITH batch AS (
        SELECT "id" FROM "Session" WHERE "expires" < ${before(now, GRACE_MS)}
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      DELETE FROM "Session" t USING batch WHERE t."id" = batch."id"`,
  },
  {
    table: "verification_token",
    deleteBatch: ({ db, now, limit }: TDeleteBatchOptions) => db.$executeRaw`
      WITH batch AS (
        SELECT "token" FROM "VerificationToken" WHERE "expires" < ${before(now, GRACE_MS)}
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      DELETE FROM "VerificationToken" t USING batch WHERE t."token" = batch."token"`,
  },
  {
    // What an instance knows of a tool (its pinned definition, the owner's choices) is kept while its
    // server serves it: lastSeenAt is refreshed, at most daily, by every list that sees it. A tool whose
    // server has been listed since the cutoff without it, or of a server the instance no longer bundles,
    // is forgotten after TOOL_RECORD_RETENTION_DAYS (90 by default); should it come back, it is a new
    // tool. An instance nobody listed for that long keeps every record: forgetting all of a server's
    // tools would make each of them "added later" at the next list, and under a Chosen selection with
    // new tools included that would choose every one of them, whatever the owner had left out.
    table: "instance_tool",
    deleteBatch: ({ db, now, toolRecordRetentionDays, limit }: TDeleteBatchOptions) => db.$executeRaw`
      WITH batch AS (
        SELECT t."id" FROM "InstanceTool" t
        WHERE t."lastSeenAt" < ${before(now, toolRecordRetentionDays * DAY_MS)}
          AND (
            EXISTS (SELECT 1 FROM "InstanceTool" s
                    WHERE s."instanceId" = t."instanceId" AND s."mcpServerId" = t."mcpServerId"
                      AND s."lastSeenAt" >= ${before(now, toolRecordRetentionDays * DAY_MS)})
            OR NOT EXISTS (SELECT 1 FROM "McpInstanceConnection" ic
                           JOIN "UserMcpConfig" c ON c."id" = ic."userMcpConfigId"
                           WHERE ic."instanceId" = t."instanceId" AND c."mcpServerId" = t."mcpServerId"))
        LIMIT ${limit} FOR UPDATE OF t SKIP LOCKED)
      DELETE FROM "InstanceTool" t USING batch WHERE t."id" = batch."id"`,
  },
  {
    // The plan's retention (task 5.1): AUDIT_RETENTION_DAYS, 90 by default. Uses the createdAt index.
    table: "audit_log",
    deleteBatch: ({ db, now, auditRetentionDays, limit }: TDeleteBatchOptions) => db.$executeRaw`
      WITH batch AS (
        SELECT "id" FROM "AuditLog" WHERE "createdAt" < ${before(now, auditRetentionDays * DAY_MS)}
        LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      DELETE FROM "AuditLog" t USING batch WHERE t."id" = batch."id"`,
  },
] as const;

export type TCleanupTable = (typeof CLEANUP_RULES)[number]["table"];
