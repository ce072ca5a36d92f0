import { addUnauthenticatedServer } from "../../servers/add-unauthenticated-server";
import { listUserServers } from "../../servers/list-user-servers";
import { removeUserServer } from "../../servers/remove-user-server";
import { ZAddUnauthenticatedServerInput, ZRemoveUserServerInput } from "../../servers/server-schemas";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const serversRouter = createTRPCRouter({
  list: protectedProcedure.query(({ ctx }) => listUserServers({ userId: ctx.userId })),

  addUnauthenticated: protectedProcedure
    .input(ZAddUnauthenticatedServerInput)
    .mutation(({ ctx, input }) =>
      addUnauthenticatedServer({ ...input, userId: ctx.userId, origin: ctx.origin }),
    ),

  remove: protectedProcedure
    .input(ZRemoveUserServerInput)
    .mutation(({ ctx, input }) => removeUserServer({ ...input, userId: ctx.userId, origin: ctx.origin })),
});
