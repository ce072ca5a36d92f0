import { z } from "zod";
import { disconnectBackend } from "../../backends/disconnect-backend";
import { listBackendTokens } from "../../backends/list-backend-tokens";
import { refreshBackendTokenNow } from "../../backends/refresh-backend-token-now";
import { createTRPCRouter, protectedProcedure } from "../trpc";

// One of the user's connections, named by its server (a user has at most one connection per server).
const ZBackendConnectionInput = z.object({ mcpServerId: z.string().min(1).max(64) });

export const backendTokensRouter = createTRPCRouter({
  list: protectedProcedure.query(({ ctx }) => listBackendTokens({ userId: ctx.userId })),

  refresh: protectedProcedure
    .input(ZBackendConnectionInput)
    .mutation(({ ctx, input }) => refreshBackendTokenNow({ ...input, userId: ctx.userId })),

  disconnect: protectedProcedure
    .input(ZBackendConnectionInput)
    .mutation(({ ctx, input }) => disconnectBackend({ ...input, userId: ctx.userId, origin: ctx.origin })),
});
