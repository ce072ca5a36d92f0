import { getDb } from "../db";
import { getRateLimitPolicy } from "../rate-limit/get-rate-limit-policy";
import { USER_LIMIT_CACHE_MS } from "../rate-limit/get-user-mcp-request-limit";
import {
  ADMIN_USERS_PAGE_SIZE,
  type TFindUsersWithLimitsInput,
  type TUsersWithLimits,
} from "./admin-schemas";

/** One page of users, by email, with their /mcp limit. For operators only (the admin router checks). */
export async function findUsersWithLimits({
  email = "",
  page = 1,
}: TFindUsersWithLimitsInput): Promise<TUsersWithLimits> {
  const db = getDb();
  const where = email === "" ? {} : { email: { contains: email, mode: "insensitive" as const } };
  const [rows, total] = await Promise.all([
    db.user.findMany({
      where,
      orderBy: [{ email: "asc" }],
      skip: (page - 1) * ADMIN_USERS_PAGE_SIZE,
      take: ADMIN_USERS_PAGE_SIZE,
      select: { id: true, email: true, name: true, createdAt: true, mcpRequestLimit: true },
    }),
    db.user.count({ where }),
  ]);
  const policy = getRateLimitPolicy("mcpRequest");
  return {
    users: rows.map((row) => ({ ...row, effectiveLimit: row.mcpRequestLimit ?? policy.attempts })),
    total,
    page,
    pageSize: ADMIN_USERS_PAGE_SIZE,
    defaultLimit: policy.attempts,
    window: policy.window,
    takesEffectWithinSeconds: USER_LIMIT_CACHE_MS / 1000,
  };
}
