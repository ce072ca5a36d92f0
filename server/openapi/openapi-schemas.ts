import { z } from "zod";
import { APPLICATION_TYPES, ZClientMetadata } from "../auth/clients/client-metadata-schema";
import { APP_ERROR_STATUS } from "../errors";
import { CLEANUP_RULES, type TCleanupTable } from "../jobs/cleanup/cleanup-rules";
import { ZJsonRpcError, ZJsonRpcId } from "../mcp/json-rpc-schemas";

// The shapes of answers that no route parses, written once here for the API reference and checked
// against what the serializers really send (build-openapi-document.test.ts): the OAuth error body
// (oauth-error-response.ts), the JSON error body of plain routes (with-route-errors.ts), the JSON-RPC
// error of /mcp (json-rpc-error-response.ts), the registration answer (register-dynamic-client.ts) and the
// clean-up job's report (run-cleanup.ts).

export const ZOAuthErrorBody = z.object({
  error: z.string().describe("An OAuth error code (see the error-code list)."),
  error_description: z.string().describe("Readable text; never a token or an internal detail."),
});

export const ZAppErrorBody = z.object({
  error: z.object({
    code: z.enum(Object.keys(APP_ERROR_STATUS) as [keyof typeof APP_ERROR_STATUS]),
    message: z.string(),
  }),
});

export const ZJsonRpcErrorBody = z.object({
  jsonrpc: z.literal("2.0"),
  id: ZJsonRpcId.nullable(),
  error: ZJsonRpcError,
});

export const ZClientRegistrationResponse = ZClientMetadata.safeExtend({
  application_type: z.enum(APPLICATION_TYPES),
  client_id: z.string(),
  client_id_issued_at: z.number().int(),
  client_secret: z.string().optional().describe("Only for confidential clients; shown once."),
  client_secret_expires_at: z.literal(0).optional(),
});

const CLEANUP_TABLES = CLEANUP_RULES.map((rule) => rule.table) as [TCleanupTable, ...TCleanupTable[]];

/** What /api/cron/cleanup answers (run-cleanup.ts TCleanupResult). */
export const ZCleanupResult = z.object({
  deleted: z.record(z.enum(CLEANUP_TABLES), z.number().int().min(0)).describe("Rows deleted, per kind."),
  total: z.number().int().min(0),
  complete: z.boolean().describe("False when the time budget ran out first: the next run carries on."),
  durationMs: z.number().min(0),
});
