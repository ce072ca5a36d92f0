import { getDashboardOverview } from "../../usage/get-dashboard-overview";
import { getToolCallUsage } from "../../usage/get-tool-call-usage";
import { ZGetToolCallUsageInput, ZToolCallUsage } from "../../usage/usage-schemas";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const usageRouter = createTRPCRouter({
  overview: protectedProcedure.query(({ ctx }) => getDashboardOverview({ userId: ctx.userId })),

  toolCalls: protectedProcedure
    .input(ZGetToolCallUsageInput)
    .output(ZToolCallUsage)
    .query(({ ctx, input }) => getToolCallUsage({ userId: ctx.userId, window: input.window })),
});
