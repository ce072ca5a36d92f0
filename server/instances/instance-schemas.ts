import { z } from "zod";

// The shapes of instance input, shared by the tRPC router, the domain functions and the forms. Pure zod,
// so client components may import it.

const ZInstanceName = z.string().trim().min(1, "Enter a name.").max(80, "Use at most 80 characters.");

/** Instance ids are UUIDs; any other string matches no instance (NOT_FOUND), so only size is bounded. */
const ZInstanceId = z.string().min(1).max(64);

export const ZCreateInstanceInput = z.object({ name: ZInstanceName });
export type TCreateInstanceInput = z.infer<typeof ZCreateInstanceInput>;

export const ZRenameInstanceInput = z.object({ instanceId: ZInstanceId, name: ZInstanceName });
export type TRenameInstanceInput = z.infer<typeof ZRenameInstanceInput>;

export const ZDeleteInstanceInput = z.object({ instanceId: ZInstanceId });
export type TDeleteInstanceInput = z.infer<typeof ZDeleteInstanceInput>;

export const ZSetInstanceConnectionsInput = z.object({
  instanceId: ZInstanceId,
  connectionIds: z.array(z.string().min(1).max(64)).max(100),
});
export type TSetInstanceConnectionsInput = z.infer<typeof ZSetInstanceConnectionsInput>;
