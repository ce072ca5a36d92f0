import { z } from "zod";
import { ZBackendTokenActionInput, ZBackendTokenSummary } from "../../backends/backend-token-schemas";
import { disconnectBackend } from "../../backends/disconnect-backend";
import { listBackendTokens } from "../../backends/list-backend-tokens";
import { refreshBackendTokenNow } from "../../backends/refresh-backend-token-now";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const backendTokensRouter = createTRPCRouter({
  list: protectedProcedure
    .output(z.array(ZBackendTokenSummary))
    .query(({ ctx }) => listBackendTokens({ userId: ctx.userId })),

  refresh: protectedProcedure
    .input(ZBackendTokenActionInput)
    .mutation(({ ctx, input }) =>
      refreshBackendTokenNow({ userId: ctx.userId, mcpServerId: input.serverId }),
    ),

  disconnect: protectedProcedure
    .input(ZBackendTokenActionInput)
    .mutation(({ ctx, input }) =>
      disconnectBackend({ userId: ctx.userId, mcpServerId: input.serverId, origin: ctx.origin }),
    ),
});
