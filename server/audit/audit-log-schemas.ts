import { z } from "zod";
import { AUDIT_EVENT_TYPES, AUDIT_OUTCOMES } from "./audit-event";

// The audit log viewer's filters. Pure zod, so the page may import it.

export const AUDIT_PAGE_SIZE = 25;

/** Shown at the "To" field, by the page before it asks and by the server when it refuses the range. */
export const AUDIT_DATE_RANGE_MESSAGE = "The start date must not be after the end date.";

export const ZListAuditEventsInput = z
  .object({
    eventType: z.enum(AUDIT_EVENT_TYPES).optional(),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    /** An AiClient id: every audit writer stores AiClient.id, never the OAuth client_id. */
    clientId: z.string().min(1).max(2048).optional(),
    instanceId: z.string().min(1).max(64).optional(),
    /** Inclusive bounds on the event time. */
    from: z.date().optional(),
    to: z.date().optional(),
    page: z.number().int().min(1).max(100_000).default(1),
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, {
    message: AUDIT_DATE_RANGE_MESSAGE,
    path: ["to"],
  });

export type TListAuditEventsInput = z.input<typeof ZListAuditEventsInput>;

/**
 * What the log reads from an `mcp.tool_called` row's detail (server/mcp/audit-tool-call.ts writes it).
 * Lenient: a row of another shape, or an older one, shows without these fields rather than failing the page.
 */
export const ZToolCallDetail = z
  .object({
    tool: z.string().optional().catch(undefined),
    /** McpApiKey.id, when the call came with an API key. */
    apiKeyId: z.string().optional().catch(undefined),
    /**
     * The external token's client_id (authKind "external"); Tumiki's own clients are in the clientId column.
     */
    oauthClientId: z.string().optional().catch(undefined),
    authKind: z.string().optional().catch(undefined),
  })
  .catch({});
export type TToolCallDetail = z.infer<typeof ZToolCallDetail>;
