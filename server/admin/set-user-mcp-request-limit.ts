import { writeAuditEvent } from "../audit/write-audit-event";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { TRequestOrigin } from "../http/get-request-origin";
import { getRateLimitPolicy } from "../rate-limit/get-rate-limit-policy";
import type { TSetUserMcpRequestLimitInput, TUserWithLimit } from "./admin-schemas";

// Sets or clears (null) a user's own /mcp limit, audited under the operator who changed it. The /mcp
// route reads the column through a short cache (get-user-mcp-request-limit.ts), so the change reaches
// every process within that cache's lifetime.

export async function setUserMcpRequestLimit(options: {
  operatorUserId: string;
  input: TSetUserMcpRequestLimitInput;
  origin?: TRequestOrigin;
}): Promise<TUserWithLimit> {
  const { operatorUserId, input, origin } = options;
  const db = getDb();
  const before = await db.user.findUnique({ where: { id: input.userId }, select: { mcpRequestLimit: true } });
  if (!before) throw new AppError("NOT_FOUND", { userMessage: "This user does not exist." });
  const user = await db.user.update({
    where: { id: input.userId },
    data: { mcpRequestLimit: input.limit },
    select: { id: true, email: true, name: true, createdAt: true, mcpRequestLimit: true },
  });
  writeAuditEvent({
    eventType: "admin.limit_changed",
    outcome: "SUCCESS",
    actorUserId: operatorUserId,
    ip: origin?.ip,
    userAgent: origin?.userAgent,
    detail: {
      targetUserId: user.id,
      policy: "mcpRequest",
      previousLimit: before.mcpRequestLimit,
      limit: user.mcpRequestLimit,
    },
  });
  const policy = getRateLimitPolicy("mcpRequest");
  return { ...user, effectiveLimit: user.mcpRequestLimit ?? policy.attempts };
}
