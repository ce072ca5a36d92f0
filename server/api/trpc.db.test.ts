import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it, vi } from "vitest";
import { createUserAccount } from "../accounts/create-user-account";
import { getDb } from "../db";
import { createTRPCRouter, protectedProcedure, type TRPCContext } from "./trpc";

// Auth.js imports next/server, which only resolves inside Next; the session is passed in directly.
vi.mock("../next-auth", () => ({ auth: async () => null }));

const router = createTRPCRouter({
  me: protectedProcedure.query(({ ctx }) => ctx.userId),
});

async function callAs(userId: string) {
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    router,
    req: new Request("http://localhost/api/trpc/me"),
    createContext: (): TRPCContext => ({
      // A JWT session: signed and unexpired, whatever the database says about its user.
      session: { user: { id: userId }, expires: new Date(Date.now() + 60_000).toISOString() },
      headers: new Headers(),
      origin: { ip: "127.0.0.1" },
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("protectedProcedure", () => {
  it("serves a session whose user exists", async () => {
    const user = await createUserAccount({ email: "still-here@example.com", password: "long enough" });

    expect(await callAs(user.id)).toEqual({ status: 200, body: { result: { data: { json: user.id } } } });
  });

  it("refuses the still-valid session of a deleted user with 401", async () => {
    const user = await createUserAccount({ email: "deleted@example.com", password: "long enough" });
    await getDb().user.delete({ where: { id: user.id } });

    const { status, body } = await callAs(user.id);

    expect(status).toBe(401);
    expect(body).toMatchObject({
      error: {
        json: { message: "You need to sign in.", data: { code: "UNAUTHORIZED", appCode: "UNAUTHORIZED" } },
      },
    });
  });
});
