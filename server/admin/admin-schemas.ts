import { z } from "zod";

// Shapes of the admin page's operations (per-user /mcp limits), shared by its router, its domain
// functions and its form.

/** Requests per window of the mcpRequest policy: past a million an hour a limit protects nothing. */
export const MCP_REQUEST_LIMIT_MAX = 1_000_000;
export const ADMIN_USERS_PAGE_SIZE = 20;

export const ZFindUsersWithLimitsInput = z.object({
  /** Part of an email, matched case-insensitively; empty lists everyone. */
  email: z.string().trim().max(254).default(""),
  page: z.number().int().min(1).max(100_000).default(1),
});

export type TFindUsersWithLimitsInput = z.input<typeof ZFindUsersWithLimitsInput>;

export const ZMcpRequestLimit = z
  .number({ error: "Enter a whole number of requests." })
  .int("Enter a whole number of requests.")
  .min(1, "The limit must be at least 1.")
  .max(MCP_REQUEST_LIMIT_MAX, `The limit can be at most ${MCP_REQUEST_LIMIT_MAX.toLocaleString("en")}.`);

export const ZSetUserMcpRequestLimitInput = z.object({
  userId: z.string().min(1).max(64),
  /** null clears the override: the policy's default applies again. */
  limit: ZMcpRequestLimit.nullable(),
});

export type TSetUserMcpRequestLimitInput = z.infer<typeof ZSetUserMcpRequestLimitInput>;

export const ZUserWithLimit = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  createdAt: z.date(),
  /** The operator's override, or null. */
  mcpRequestLimit: z.number().int().nullable(),
  /** What the user gets: the override, else the policy's default. */
  effectiveLimit: z.number().int(),
});

export type TUserWithLimit = z.infer<typeof ZUserWithLimit>;

export const ZUsersWithLimits = z.object({
  users: z.array(ZUserWithLimit),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  /** The mcpRequest policy in force (environment included). */
  defaultLimit: z.number().int(),
  window: z.string(),
  /** How long a change may take to reach every app process. */
  takesEffectWithinSeconds: z.number().int(),
});

export type TUsersWithLimits = z.infer<typeof ZUsersWithLimits>;
