import { ZListAuditEventsInput } from "../../audit/audit-log-schemas";
import { listAuditEvents } from "../../audit/list-audit-events";
import { listAuditEventsClients } from "../../audit/list-audit-events-clients";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const auditRouter = createTRPCRouter({
  list: protectedProcedure
    .input(ZListAuditEventsInput)
    .query(({ ctx, input }) => listAuditEvents({ ...input, userId: ctx.userId })),

  clients: protectedProcedure.query(({ ctx }) => listAuditEventsClients({ userId: ctx.userId })),
});
