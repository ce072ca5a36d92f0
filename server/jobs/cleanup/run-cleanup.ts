import { persistAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { getEnv } from "../../env";
import { getLogger } from "../../logger";
import { cleanupDeletedRows, cleanupRuns } from "../../observability/tumiki-metrics";
import { CLEANUP_RULES, type TCleanupTable } from "./cleanup-rules";

// The retention and clean-up job (issue 12, item 5), run by the Vercel Cron route /api/cron/cleanup and
// by `npm run jobs:cleanup`. Rows go in batches of one short statement each, so no lock is held for
// long and the table stays writable. A time budget lets a Vercel function end within its maxDuration:
// the run stops between batches and the next run carries on, as every rule is a plain "older than".
// Two runs at once share the work (see cleanup-rules.ts), so neither needs to know of the other.

export type TCleanupResult = {
  deleted: Record<TCleanupTable, number>;
  total: number;
  /** False when the time budget ran out first: what is left goes on the next run. */
  complete: boolean;
  durationMs: number;
};

type TRunCleanupOptions = {
  now?: Date;
  /** Rows per DELETE statement. */
  batchSize?: number;
  /** No batch starts after this many milliseconds. */
  timeBudgetMs?: number;
};

export async function runCleanup({
  now = new Date(),
  batchSize = 5000,
  timeBudgetMs = Number.POSITIVE_INFINITY,
}: TRunCleanupOptions = {}): Promise<TCleanupResult> {
  const db = getDb();
  const { AUDIT_RETENTION_DAYS: auditRetentionDays, TOOL_RECORD_RETENTION_DAYS: toolRecordRetentionDays } =
    getEnv();
  const started = performance.now();
  const deleted = Object.fromEntries(CLEANUP_RULES.map((rule) => [rule.table, 0])) as Record<
    TCleanupTable,
    number
  >;
  const elapsed = () => Math.round(performance.now() - started);
  let complete = true;
  let table: TCleanupTable | undefined;
  try {
    rules: for (const rule of CLEANUP_RULES) {
      table = rule.table;
      for (;;) {
        if (elapsed() >= timeBudgetMs) {
          complete = false;
          break rules;
        }
        const count = await rule.deleteBatch({
          db,
          now,
          auditRetentionDays,
          toolRecordRetentionDays,
          limit: batchSize,
        });
        deleted[rule.table] += count;
        if (count > 0) cleanupDeletedRows.inc({ table: rule.table }, count);
        if (count === 0 || count < batchSize) break;
      }
    }
  } catch (error) {
    cleanupRuns.inc({ outcome: "failure" });
    await recordRun({
      outcome: "FAILURE",
      durationMs: elapsed(),
      reason: "cleanup_failed",
      detail: { tables: listCounts(deleted), failedTable: table, batchSize },
    });
    throw error;
  }

  const result = { deleted, total: sum(deleted), complete, durationMs: elapsed() };
  cleanupRuns.inc({ outcome: complete ? "success" : "partial" });
  const summary = { tables: listCounts(deleted), total: result.total, complete, batchSize };
  await recordRun({ outcome: "SUCCESS", durationMs: result.durationMs, detail: summary });
  getLogger().info(
    { ...summary, durationMs: result.durationMs },
    complete ? "clean-up completed" : "clean-up stopped at its time budget",
  );
  return result;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, count) => total + count, 0);
}

// For the audit detail and the log, which redact every key that names a secret ("refresh_token" would
// lose its count): table names as values instead.
function listCounts(deleted: Record<TCleanupTable, number>): { table: TCleanupTable; deleted: number }[] {
  return CLEANUP_RULES.map((rule) => ({ table: rule.table, deleted: deleted[rule.table] }));
}

// Awaited, unlike request-path audit writes: a cron function or a script ends right after the job. A
// failed write is logged and does not undo or fail a clean-up that happened.
async function recordRun(event: {
  outcome: "SUCCESS" | "FAILURE";
  durationMs: number;
  reason?: string;
  detail: Record<string, unknown>;
}): Promise<void> {
  try {
    await persistAuditEvent({ eventType: "system.cleanup_completed", ...event });
  } catch (error) {
    getLogger().error(
      { err: error, detail: event.detail },
      "the clean-up's audit event could not be written",
    );
  }
}
