import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError } from "../errors";
import { createTRPCRouter, protectedProcedure, publicProcedure, type TRPCContext } from "./trpc";

// Auth.js imports next/server, which only resolves inside Next; these tests pass the session in directly.
vi.mock("../next-auth", () => ({ auth: async () => null }));

const router = createTRPCRouter({
  conflict: publicProcedure.mutation(() => {
    throw new AppError("CONFLICT", { message: "internal detail", userMessage: "Already exists." });
  }),
  crash: publicProcedure.query(() => {
    throw new Error("database password is hunter2");
  }),
  validate: publicProcedure.input(z.object({ email: z.email("Enter a valid email.") })).mutation(() => "ok"),
  me: protectedProcedure.query(({ ctx }) => ctx.userId),
});

async function call(path: string, init: { method: "GET" | "POST"; body?: unknown }, session: unknown = null) {
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    router,
    req: new Request(`http://localhost/api/trpc/${path}`, {
      method: init.method,
      headers: { "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify({ json: init.body }),
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
