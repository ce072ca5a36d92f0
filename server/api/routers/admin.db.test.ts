import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MCP_REQUEST_LIMIT_MAX } from "../../admin/admin-schemas";
import { confirmOperator } from "../../admin/confirm-operator";
import { flushAuditEvents } from "../../audit/write-audit-event";
import { getDb } from "../../db";
import { resetEnvCache } from "../../env";
import { AppError } from "../../errors";
import { RATE_LIMIT_POLICIES } from "../../rate-limit/rate-limit-policies";
import { appRouter } from "../root";
import { createCallerFactory, type TRPCContext } from "../trpc";

// The admin router on a real database: only operators (ADMIN_EMAILS) get in, whatever they send;
// they list users with their /mcp limit and set or clear it, validated and audited.

// Auth.js imports next/server, which only resolves inside Next; sessions are passed in directly.
vi.mock("../../next-auth", () => ({ auth: async () => null }));

const createCaller = createCallerFactory(appRouter);
const run = randomUUID().slice(0, 8);
let operator: { id: string };
let member: { id: string };
let squatter: { id: string };

function callerFor(userId: string | null) {
  const ctx: TRPCContext = {
    session: userId ? { user: { id: userId }, expires: new Date(Date.now() + 60_000).toISOString() } : null,
    headers: new Headers(),
    origin: { ip: "203.0.113.20", userAgent: "admin-router-test" },
  };
  return createCaller(ctx);
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof TRPCError ? error.code : `not a TRPCError: ${String(error)}`;
}

beforeAll(async () => {
  const db = getDb();
  // Stored lowercase (sign-up normalizes); ADMIN_EMAILS is matched case-insensitively.
  vi.stubEnv(
    "ADMIN_EMAILS",
    `someone-else@example.test, OPS-${run}@Example.test, squatter-${run}@example.test`,
  );
  resetEnvCache();
  operator = await db.user.create({ data: { email: `ops-${run}@example.test` } });
  squatter = await db.user.create({ data: { email: `squatter-${run}@example.test` } });
  member = await db.user.create({ data: { email: `member-${run}@example.test` } });
  // Listed and confirmed from the shell (npm run admin:confirm-operator); the squatter is only listed.
  await confirmOperator({ email: `OPS-${run}@example.test` });
});

afterAll(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

describe("admin router access", () => {
  it("refuses a caller without a session", async () => {
    expect(await codeOf(callerFor(null).admin.users({}))).toBe("UNAUTHORIZED");
  });

  it("refuses a signed-in user who is not an operator, before reading the input", async () => {
    const caller = callerFor(member.id);
    expect(await codeOf(caller.admin.users({}))).toBe("FORBIDDEN");
    expect(await codeOf(caller.admin.setMcpRequestLimit({ userId: member.id, limit: 100_000 }))).toBe(
      "FORBIDDEN",
    );
    // Invalid input too: a non-operator learns nothing about what the router accepts.
    expect(await codeOf(caller.admin.setMcpRequestLimit({ userId: member.id, limit: -1 }))).toBe("FORBIDDEN");
    const row = await getDb().user.findUniqueOrThrow({ where: { id: member.id } });
    expect(row.mcpRequestLimit).toBeNull();
  });

  it("refuses a listed address whose account no operator confirmed (sign-up does not verify emails)", async () => {
    expect(await codeOf(callerFor(squatter.id).admin.users({}))).toBe("FORBIDDEN");
  });

  it("confirms only a listed address that has an account", async () => {
    const codeOfConfirm = (email: string) =>
      confirmOperator({ email }).then(
        () => "confirmed",
        (error: unknown) => (error instanceof AppError ? error.code : String(error)),
      );
    expect(await codeOfConfirm(`member-${run}@example.test`)).toBe("BAD_REQUEST");
    expect(await codeOfConfirm("someone-else@example.test")).toBe("NOT_FOUND");
    const row = await getDb().user.findUniqueOrThrow({ where: { id: member.id } });
    expect(row.emailVerified).toBeNull();
  });

  it("refuses everyone when ADMIN_EMAILS is empty", async () => {
    vi.stubEnv("ADMIN_EMAILS", "");
    resetEnvCache();
    try {
      expect(await codeOf(callerFor(operator.id).admin.users({}))).toBe("FORBIDDEN");
    } finally {
      vi.stubEnv("ADMIN_EMAILS", `OPS-${run}@Example.test`);
      resetEnvCache();
    }
  });
});

describe("admin router for an operator", () => {
  it("lists users by email fragment, case-insensitively, in pages of 20 with the total", async () => {
    const db = getDb();
    const marker = `page-${run}`;
    await db.user.createMany({
      data: Array.from({ length: 23 }, (_, i) => ({
        email: `${marker}-${String(i).padStart(2, "0")}@example.test`,
      })),
    });
    const caller = callerFor(operator.id);
    const first = await caller.admin.users({ email: marker.toUpperCase() });
    expect(first).toMatchObject({ total: 23, page: 1, pageSize: 20 });
    expect(first.users).toHaveLength(20);
    expect(first.users[0]?.email).toBe(`${marker}-00@example.test`);
    const second = await caller.admin.users({ email: marker, page: 2 });
    expect(second.users.map((user) => user.email)).toEqual([
      `${marker}-20@example.test`,
      `${marker}-21@example.test`,
      `${marker}-22@example.test`,
    ]);
    expect((await caller.admin.users({ email: `nobody-${run}` })).users).toEqual([]);
  });

  it("sets a user's limit, shows it as effective, clears it back to the default, and audits both", async () => {
    const caller = callerFor(operator.id);
    const defaultLimit = RATE_LIMIT_POLICIES.mcpRequest.attempts;
    const before = await caller.admin.users({ email: `member-${run}` });
    expect(before).toMatchObject({ defaultLimit, window: "1 h", takesEffectWithinSeconds: 30 });
    expect(before.users).toMatchObject([
      { id: member.id, mcpRequestLimit: null, effectiveLimit: defaultLimit },
    ]);

    const set = await caller.admin.setMcpRequestLimit({ userId: member.id, limit: 5000 });
    expect(set).toMatchObject({ id: member.id, mcpRequestLimit: 5000, effectiveLimit: 5000 });
    expect((await getDb().user.findUniqueOrThrow({ where: { id: member.id } })).mcpRequestLimit).toBe(5000);
    expect((await caller.admin.users({ email: `member-${run}` })).users[0]).toMatchObject({
      effectiveLimit: 5000,
    });

    const cleared = await caller.admin.setMcpRequestLimit({ userId: member.id, limit: null });
    expect(cleared).toMatchObject({ mcpRequestLimit: null, effectiveLimit: defaultLimit });
    expect((await getDb().user.findUniqueOrThrow({ where: { id: member.id } })).mcpRequestLimit).toBeNull();

    await flushAuditEvents();
    const events = await getDb().auditLog.findMany({
      where: { eventType: "admin.limit_changed", actorUserId: operator.id },
      orderBy: { createdAt: "asc" },
    });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      outcome: "SUCCESS",
      ip: "203.0.113.20",
      userAgent: "admin-router-test",
      detail: { targetUserId: member.id, policy: "mcpRequest", previousLimit: null, limit: 5000 },
    });
    expect(events[1]).toMatchObject({
      detail: { targetUserId: member.id, previousLimit: 5000, limit: null },
    });
  });

  it("validates the limit: a positive whole number up to the maximum", async () => {
    const caller = callerFor(operator.id);
    for (const limit of [0, -5, 1.5, Number.NaN, MCP_REQUEST_LIMIT_MAX + 1]) {
      expect(
        await codeOf(caller.admin.setMcpRequestLimit({ userId: member.id, limit })),
        `limit ${limit}`,
      ).toBe("BAD_REQUEST");
    }
    expect(
      await codeOf(caller.admin.setMcpRequestLimit({ userId: member.id, limit: "100" as unknown as number })),
    ).toBe("BAD_REQUEST");
    expect(await codeOf(caller.admin.setMcpRequestLimit({ userId: "", limit: 10 }))).toBe("BAD_REQUEST");
    expect(await codeOf(caller.admin.users({ page: 0 }))).toBe("BAD_REQUEST");
    expect((await getDb().user.findUniqueOrThrow({ where: { id: member.id } })).mcpRequestLimit).toBeNull();
    // The bounds themselves are accepted.
    await expect(caller.admin.setMcpRequestLimit({ userId: member.id, limit: 1 })).resolves.toMatchObject({
      mcpRequestLimit: 1,
    });
    await expect(
      caller.admin.setMcpRequestLimit({ userId: member.id, limit: MCP_REQUEST_LIMIT_MAX }),
    ).resolves.toMatchObject({ mcpRequestLimit: MCP_REQUEST_LIMIT_MAX });
    await caller.admin.setMcpRequestLimit({ userId: member.id, limit: null });
  });

  it("answers NOT_FOUND for a user that does not exist, and audits nothing", async () => {
    const caller = callerFor(operator.id);
    await flushAuditEvents();
    const before = await getDb().auditLog.count({ where: { eventType: "admin.limit_changed" } });
    expect(await codeOf(caller.admin.setMcpRequestLimit({ userId: "no-such-user", limit: 10 }))).toBe(
      "NOT_FOUND",
    );
    await flushAuditEvents();
    expect(await getDb().auditLog.count({ where: { eventType: "admin.limit_changed" } })).toBe(before);
  });

  it("reports the environment's default for users without an override", async () => {
    vi.stubEnv("RATE_LIMIT_MCP_REQUEST", "250/30m");
    resetEnvCache();
    try {
      const listed = await callerFor(operator.id).admin.users({ email: `member-${run}` });
      expect(listed).toMatchObject({ defaultLimit: 250, window: "30 m" });
      expect(listed.users[0]).toMatchObject({ mcpRequestLimit: null, effectiveLimit: 250 });
    } finally {
      vi.stubEnv("RATE_LIMIT_MCP_REQUEST", "");
      resetEnvCache();
    }
  });
});
