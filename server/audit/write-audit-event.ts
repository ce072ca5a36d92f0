import { after } from "next/server";
import { createRowId } from "../crypto/encryption-extension";
import { queryHotRows, sql } from "../db-hot-query";
import { getLogger } from "../logger";
import { redactSecrets } from "../redact";
import { type TAuditEvent, ZAuditEvent } from "./audit-event";

// Audit writes run off the request's critical path: the caller does not wait for the database. They
// are never silently lost: inside a request, Next.js's `after()` keeps the function alive until the
// write settles (a serverless function is otherwise frozen once the response is sent); a failed write
// is logged with the (redacted) event, so the trail can be rebuilt from logs. Outside a request
// (scripts, tests) the write is tracked, and `flushAuditEvents()` waits for what is in flight.

const pending = new Set<Promise<void>>();

// One INSERT on the hot-query path (db-hot-query.ts) rather than a Prisma create: every proxied tool
// call writes a row, and a write through Prisma costs milliseconds of CPU that the next request waits for.
export async function persistAuditEvent(event: TAuditEvent): Promise<void> {
  const parsed = ZAuditEvent.parse(event);
  const e = redactSecrets(parsed);
  const detail = e.detail === undefined ? null : JSON.stringify(e.detail);
  await queryHotRows(sql`
    INSERT INTO "AuditLog" ("id", "eventType", "outcome", "actorUserId", "clientId", "instanceId",
                            "mcpServerId", "ip", "userAgent", "reason", "durationMs", "detail")
    VALUES (${createRowId()}, ${e.eventType}, ${e.outcome}::"AuditOutcome", ${e.actorUserId ?? null},
            ${e.clientId ?? null}, ${e.instanceId ?? null}, ${e.mcpServerId ?? null}, ${e.ip ?? null},
            ${e.userAgent?.slice(0, 512) ?? null}, ${e.reason ?? null}, ${e.durationMs ?? null}, ${detail}::jsonb)`);
}

export function writeAuditEvent(event: TAuditEvent): void {
  const write = persistAuditEvent(event)
    .catch((error: unknown) => {
      getLogger().error({ err: error, auditEvent: redactSecrets(event) }, "audit event could not be written");
    })
    .finally(() => pending.delete(write));
  pending.add(write);
  try {
    after(write);
  } catch {
    // Not inside a request scope: `pending` tracks the write instead.
  }
}

export async function flushAuditEvents(): Promise<void> {
  await Promise.all([...pending]);
}
