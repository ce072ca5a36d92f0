import { ZCreateApiKeyInput, ZRevokeApiKeyInput } from "../../auth/api-keys/api-key-schemas";
import { createApiKey } from "../../auth/api-keys/create-api-key";
import { listApiKeys } from "../../auth/api-keys/list-api-keys";
import { revokeApiKey } from "../../auth/api-keys/revoke-api-key";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const apiKeyRouter = createTRPCRouter({
  list: protectedProcedure.query(({ ctx }) => listApiKeys({ userId: ctx.userId })),

  create: protectedProcedure
    .input(ZCreateApiKeyInput)
    .mutation(({ ctx, input }) => createApiKey({ ...input, userId: ctx.userId, origin: ctx.origin })),

  revoke: protectedProcedure
    .input(ZRevokeApiKeyInput)
    .mutation(({ ctx, input }) => revokeApiKey({ ...input, userId: ctx.userId, origin: ctx.origin })),
});
