import { z } from "zod";

// What the /oauth/callback page posts to the window that opened it (render-callback-page.ts), and what
// that window accepts (components/servers/use-authorization-popup.ts). Pure zod: the client imports it.

export const ZBackendAuthorizationMessage = z.object({
  source: z.literal("tumiki"),
  type: z.literal("backend-authorization"),
  ok: z.boolean(),
  /** The backend server the result is about, when it is known to belong to the user. */
  serverId: z.string().optional(),
  /** The result in words, for the user. */
  message: z.string(),
});
export type TBackendAuthorizationMessage = z.infer<typeof ZBackendAuthorizationMessage>;
