import { createHmac } from "node:crypto";
import { writeAuditEvent } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { getEnv } from "../../env";
import type { TRequestOrigin } from "../../http/get-request-origin";
import { getLogger } from "../../logger";
import { getRedis } from "../../redis";

// The audit row of a refused /mcp request. Anyone can send such requests, so what they may write is
// bounded: nothing for an instance that does not exist (a random UUID leaves no trace), and for one that
// does, one row per instance, reason and address a minute. The row has no actor: whoever sent the
// request is unknown, and naming the owner would read as if they had made it. The owner is recorded in
// detail.instanceOwnerId; they see the row because the audit log shows events of their instances.
// Redis only thins out repeats: when it fails, the failure is audited anyway.

const REPEAT_WINDOW_MS = 60_000;

// An HMAC of the tuple, so Redis holds no client address.
const repeatKey = (instanceId: string, reason: string, ip: string) =>
  `mcp-auth-failure-audited:${createHmac("sha256", getEnv().AUTH_SECRET)
    .update(`${instanceId}|${reason}|${ip}`)
    .digest("hex")}`;

async function isFirstInWindow(key: string): Promise<boolean> {
  try {
    return await getRedis().set(key, "1", { px: REPEAT_WINDOW_MS, nx: true });
  } catch (error) {
    getLogger().warn({ err: error }, "mcp auth failure throttle unavailable; auditing anyway");
    return true;
  }
}

export async function auditMcpAuthFailure({
  instanceId,
  reason,
  origin,
}: {
  instanceId: string;
  reason: string;
  origin: TRequestOrigin;
}): Promise<void> {
  let owner: { userId: string } | null;
  try {
    owner = await getDb().mcpInstance.findUnique({ where: { id: instanceId }, select: { userId: true } });
  } catch (error) {
    // The refusal stands either way; without the database there is nowhere to write the row.
    getLogger().warn({ err: error, instanceId }, "mcp auth failure not audited: instance lookup failed");
    return;
  }
  if (!owner) return;
  if (!(await isFirstInWindow(repeatKey(instanceId, reason, origin.ip)))) return;
  writeAuditEvent({
    eventType: "mcp.auth_failed",
    outcome: "FAILURE",
    instanceId,
    ip: origin.ip,
    userAgent: origin.userAgent,
    reason,
    detail: { instanceOwnerId: owner.userId },
  });
}
