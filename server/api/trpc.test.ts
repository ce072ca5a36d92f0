import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError } from "../errors";
import { createTRPCRouter, protectedProcedure, publicProcedure, type TRPCContext } from "./trpc";

// Auth.js imports next/server, which only resolves inside Next; these tests pass the session in directly.
vi.mock("../next-auth", () => ({ auth: async () => null }));
// No database here: user_1 exists. trpc.db.test.ts checks protectedProcedure against a real one.
vi.mock("../accounts/is-existing-user-account", () => ({
  isExistingUserAccount: async ({ userId }: { userId: string }) => userId === "user_1",
}));

const logged = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() };
vi.mock("../logger", () => ({ getLogger: () => logged }));

beforeEach(() => {
  for (const log of Object.values(logged)) log.mockClear();
});

const router = createTRPCRouter({
  conflict: publicProcedure.mutation(() => {
    throw new AppError("CONFLICT", { message: "internal detail", userMessage: "Already exists." });
  }),
  crash: publicProcedure.query(() => {
    throw new Error("database password is hunter2");
  }),
  validate: publicProcedure.input(z.object({ email: z.email("Enter a valid email.") })).mutation(() => "ok"),
  // What tRPC throws for a body it cannot parse in some transports (connection params, batches).
  parseError: publicProcedure.query(() => {
    throw new TRPCError({ code: "PARSE_ERROR", cause: new SyntaxError("Unexpected token o in JSON") });
  }),
  // A bug: domain code parsing its own data with zod, as if a stored row had an unexpected shape.
  deepZod: publicProcedure.query(() => z.object({ internalColumnName: z.string() }).parse({})),
  me: protectedProcedure.query(({ ctx }) => ctx.userId),
});

type CallInit = { method: "GET" | "POST"; body?: unknown; rawBody?: string };

async function call(path: string, init: CallInit, session: unknown = null) {
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    router,
    req: new Request(`http://localhost/api/trpc/${path}`, {
      method: init.method,
      headers: { "content-type": "application/json" },
      body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify({ json: init.body })),
    }),
    createContext: (): TRPCContext => ({
      session: session as TRPCContext["session"],
      headers: new Headers(),
      origin: { ip: "127.0.0.1" },
    }),
  });
  const body = (await response.json()) as {
    error: { json: { message: string; data: Record<string, unknown> } };
  };
  return { status: response.status, error: body.error?.json };
}

describe("tRPC error mapping", () => {
  it("answers an AppError with its status and userMessage only", async () => {
    const { status, error } = await call("conflict", { method: "POST", body: {} });

    expect(status).toBe(409);
    expect(error?.message).toBe("Already exists.");
    expect(error?.data).toMatchObject({ code: "CONFLICT", appCode: "CONFLICT", httpStatus: 409 });
    expect(JSON.stringify(error)).not.toContain("internal detail");
  });

  it("answers an unknown error with a generic 500 that carries no message or stack", async () => {
    const { status, error } = await call("crash", { method: "GET" });

    expect(status).toBe(500);
    expect(error?.message).toBe("Something went wrong on our side. Try again later.");
    expect(JSON.stringify(error)).not.toContain("hunter2");
    expect(error?.data).not.toHaveProperty("stack");
  });

  it("answers invalid input with 400 and a message per field", async () => {
    const { status, error } = await call("validate", { method: "POST", body: { email: "nope" } });

    expect(status).toBe(400);
    expect(error?.data).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { email: ["Enter a valid email."] },
    });
  });

  it("answers a ZodError from inside a procedure as a logged generic 500, not as invalid input", async () => {
    const { status, error } = await call("deepZod", { method: "GET" });

    expect(status).toBe(500);
    expect(error?.message).toBe("Something went wrong on our side. Try again later.");
    expect(error?.data).toMatchObject({ code: "INTERNAL_SERVER_ERROR", appCode: "INTERNAL" });
    expect(error?.data).not.toHaveProperty("fieldErrors");
    expect(JSON.stringify(error)).not.toContain("internalColumnName");
    expect(logged.error).toHaveBeenCalledTimes(1);
  });

  it("answers an unparsable body as the client's error, without quoting it or logging an error", async () => {
    // tRPC reports malformed JSON as BAD_REQUEST caused by the SyntaxError, whose message quotes the body.
    const { status, error } = await call("validate", { method: "POST", rawBody: '{"json": "secret-ish' });

    expect(status).toBe(400);
    expect(error?.data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400, appCode: "BAD_REQUEST" });
    expect(error?.data).not.toHaveProperty("fieldErrors");
    expect(error?.message).toBe("The request is not valid.");
    expect(JSON.stringify(error)).not.toContain("secret-ish");
    expect(logged.error).not.toHaveBeenCalled();
  });

  it("answers tRPC's own PARSE_ERROR with its 400, without logging an error", async () => {
    const { status, error } = await call("parseError", { method: "GET" });

    expect(status).toBe(400);
    expect(error?.data).toMatchObject({ code: "PARSE_ERROR", httpStatus: 400, appCode: "BAD_REQUEST" });
    expect(error?.message).toBe("The request is not valid.");
    expect(logged.error).not.toHaveBeenCalled();
  });

  it("keeps tRPC's message for its own errors without a cause", async () => {
    const { status, error } = await call("nope", { method: "GET" });

    expect(status).toBe(404);
    expect(error?.message).toBe('No procedure found on path "nope"');
    expect(error?.data).toMatchObject({ code: "NOT_FOUND", appCode: "BAD_REQUEST" });
    expect(logged.error).not.toHaveBeenCalled();
  });

  it("refuses a protected procedure without a session", async () => {
    const { status, error } = await call("me", { method: "GET" });

    expect(status).toBe(401);
    expect(error?.data).toMatchObject({ code: "UNAUTHORIZED", appCode: "UNAUTHORIZED" });
  });

  it("passes the session's user id to a protected procedure", async () => {
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      router,
      req: new Request("http://localhost/api/trpc/me"),
      createContext: (): TRPCContext => ({
        session: { user: { id: "user_1" }, expires: new Date(Date.now() + 60_000).toISOString() },
        headers: new Headers(),
        origin: { ip: "127.0.0.1" },
      }),
    });

    expect(await response.json()).toEqual({ result: { data: { json: "user_1" } } });
  });
});
