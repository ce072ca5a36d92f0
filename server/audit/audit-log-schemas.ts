import { z } from "zod";
import { AUDIT_EVENT_TYPES } from "./audit-event";

// The audit log viewer's filters. Pure zod, so the page may import it.

export const AUDIT_PAGE_SIZE = 25;

export const ZListAuditEventsInput = z
  .object({
    eventType: z.enum(AUDIT_EVENT_TYPES).optional(),
    outcome: z.enum(["SUCCESS", "FAILURE", "DENIED"]).optional(),
    /** An AiClient id or an OAuth client_id (a CIMD client_id is a URL). */
    clientId: z.string().min(1).max(2048).optional(),
    instanceId: z.string().min(1).max(64).optional(),
    /** Inclusive bounds on the event time. */
    from: z.date().optional(),
    to: z.date().optional(),
    page: z.number().int().min(1).max(100_000).default(1),
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, {
    message: "The start date must not be after the end date.",
    path: ["to"],
  });

export type TListAuditEventsInput = z.input<typeof ZListAuditEventsInput>;
