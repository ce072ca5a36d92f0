import { ZRevokeClientAuthorizationInput } from "../../auth/clients/client-authorization-schemas";
import { createM2mClient } from "../../auth/clients/create-m2m-client";
import { deleteM2mClient } from "../../auth/clients/delete-m2m-client";
import { listAuthorizedClients } from "../../auth/clients/list-authorized-clients";
import { listM2mClients } from "../../auth/clients/list-m2m-clients";
import { ZCreateM2mClientInput, ZDeleteM2mClientInput } from "../../auth/clients/m2m-client-schemas";
import { revokeClientAuthorization } from "../../auth/clients/revoke-client-authorization";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const aiClientRouter = createTRPCRouter({
  listAuthorized: protectedProcedure.query(({ ctx }) => listAuthorizedClients({ userId: ctx.userId })),

  revoke: protectedProcedure.input(ZRevokeClientAuthorizationInput).mutation(({ ctx, input }) =>
    // revokeClientAuthorization takes the origin's fields one by one (its own signature).
    revokeClientAuthorization({
      ...input,
      userId: ctx.userId,
      ip: ctx.origin.ip,
      userAgent: ctx.origin.userAgent,
    }),
  ),

  listM2m: protectedProcedure.query(({ ctx }) => listM2mClients({ userId: ctx.userId })),

  createM2m: protectedProcedure
    .input(ZCreateM2mClientInput)
    .mutation(({ ctx, input }) => createM2mClient({ ...input, userId: ctx.userId, origin: ctx.origin })),

  deleteM2m: protectedProcedure
    .input(ZDeleteM2mClientInput)
    .mutation(({ ctx, input }) => deleteM2mClient({ ...input, userId: ctx.userId, origin: ctx.origin })),
});
