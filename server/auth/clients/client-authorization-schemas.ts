import { z } from "zod";

// Inputs of what a user does with the AI clients they authorized, shared with the tRPC router (the
// single source of these shapes).

export const ZRevokeClientAuthorizationInput = z.object({
  /** AiClient.id, as listAuthorizedClients returns it. */
  clientId: z.string().min(1).max(64),
});

export type TRevokeClientAuthorizationInput = z.infer<typeof ZRevokeClientAuthorizationInput>;
