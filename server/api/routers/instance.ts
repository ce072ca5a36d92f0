import { createInstance } from "../../instances/create-instance";
import { deleteInstance } from "../../instances/delete-instance";
import {
  ZCreateInstanceInput,
  ZDeleteInstanceInput,
  ZRenameInstanceInput,
  ZSetInstanceConnectionsInput,
} from "../../instances/instance-schemas";
import { listInstances } from "../../instances/list-instances";
import { renameInstance } from "../../instances/rename-instance";
import { setInstanceConnections } from "../../instances/set-instance-connections";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const instanceRouter = createTRPCRouter({
  list: protectedProcedure.query(({ ctx }) => listInstances({ userId: ctx.userId })),

  create: protectedProcedure
    .input(ZCreateInstanceInput)
    .mutation(({ ctx, input }) => createInstance({ ...input, userId: ctx.userId })),

  rename: protectedProcedure
    .input(ZRenameInstanceInput)
    .mutation(({ ctx, input }) => renameInstance({ ...input, userId: ctx.userId })),

  delete: protectedProcedure
    .input(ZDeleteInstanceInput)
    .mutation(({ ctx, input }) => deleteInstance({ ...input, userId: ctx.userId })),

  setConnections: protectedProcedure
    .input(ZSetInstanceConnectionsInput)
    .mutation(({ ctx, input }) => setInstanceConnections({ ...input, userId: ctx.userId })),
});
