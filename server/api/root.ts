import { accountRouter } from "./routers/account";
import { adminRouter } from "./routers/admin";
import { aiClientRouter } from "./routers/aiClient";
import { apiKeyRouter } from "./routers/apiKey";
import { auditRouter } from "./routers/audit";
import { backendTokensRouter } from "./routers/backendTokens";
import { instanceRouter } from "./routers/instance";
import { serversRouter } from "./routers/servers";
import { toolControlsRouter } from "./routers/toolControls";
import { usageRouter } from "./routers/usage";
import { createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  account: accountRouter,
  instance: instanceRouter,
  servers: serversRouter,
  apiKey: apiKeyRouter,
  aiClient: aiClientRouter,
  audit: auditRouter,
  backendTokens: backendTokensRouter,
  admin: adminRouter,
  usage: usageRouter,
  toolControls: toolControlsRouter,
});

export type AppRouter = typeof appRouter;
