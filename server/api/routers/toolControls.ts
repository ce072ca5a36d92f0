import { approveToolChange } from "../../tool-controls/approve-tool-change";
import { listInstanceTools } from "../../tool-controls/list-instance-tools";
import { setInstanceToolOptions } from "../../tool-controls/set-instance-tool-options";
import { setServerToolSelection } from "../../tool-controls/set-server-tool-selection";
import { setToolConfirmation } from "../../tool-controls/set-tool-confirmation";
import {
  ZApproveToolChangeInput,
  ZListInstanceToolsInput,
  ZSetInstanceToolOptionsInput,
  ZSetServerToolSelectionInput,
  ZSetToolConfirmationInput,
} from "../../tool-controls/tool-control-schemas";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const toolControlsRouter = createTRPCRouter({
  list: protectedProcedure
    .input(ZListInstanceToolsInput)
    .query(({ ctx, input }) => listInstanceTools({ ...input, userId: ctx.userId })),

  setSelection: protectedProcedure
    .input(ZSetServerToolSelectionInput)
    .mutation(({ ctx, input }) => setServerToolSelection({ ...input, userId: ctx.userId })),

  approveChange: protectedProcedure
    .input(ZApproveToolChangeInput)
    .mutation(({ ctx, input }) => approveToolChange({ ...input, userId: ctx.userId })),

  setConfirmation: protectedProcedure
    .input(ZSetToolConfirmationInput)
    .mutation(({ ctx, input }) => setToolConfirmation({ ...input, userId: ctx.userId })),

  setOptions: protectedProcedure
    .input(ZSetInstanceToolOptionsInput)
    .mutation(({ ctx, input }) => setInstanceToolOptions({ ...input, userId: ctx.userId })),
});
