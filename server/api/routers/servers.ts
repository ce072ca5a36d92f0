import { prepareBackendAuthorization } from "../../backends/prepare-backend-authorization";
import { addServer } from "../../servers/add-server";
import { checkServer } from "../../servers/check-server";
import { connectCatalogServer } from "../../servers/connect-catalog-server";
import { listServerCatalog } from "../../servers/list-server-catalog";
import { listUserServers } from "../../servers/list-user-servers";
import { readUserServerHealth } from "../../servers/read-user-server-health";
import { removeUserServer } from "../../servers/remove-user-server";
import {
  ZAddServerInput,
  ZDiscoverServerInput as ZCheckServerInput,
  ZConnectCatalogServerInput,
  ZRemoveUserServerInput,
  ZStartServerAuthorizationInput,
} from "../../servers/server-schemas";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const serversRouter = createTRPCRouter({
  list: protectedProcedure.query(({ ctx }) => listUserServers({ userId: ctx.userId })),

  catalog: protectedProcedure.query(({ ctx }) => listServerCatalog({ userId: ctx.userId })),

  // Health of the user's servers by McpServer id (server/backend-health), polled apart from the list.
  health: protectedProcedure.query(({ ctx }) => readUserServerHealth({ userId: ctx.userId })),

  // "Check server". A mutation although it reads: it makes Tumiki contact the URL, which a query's
  // automatic refetches (window focus, remounts) must not repeat.
  check: protectedProcedure
    .input(ZCheckServerInput)
    .mutation(({ ctx, input }) => checkServer({ ...input, userId: ctx.userId })),

  add: protectedProcedure
    .input(ZAddServerInput)
    .mutation(({ ctx, input }) => addServer({ ...input, userId: ctx.userId, origin: ctx.origin })),

  connectCatalog: protectedProcedure
    .input(ZConnectCatalogServerInput)
    .mutation(({ ctx, input }) => connectCatalogServer({ ...input, userId: ctx.userId, origin: ctx.origin })),

  // Connect and Reconnect: discovers and registers again when needed, then starts the sign-in.
  startAuthorization: protectedProcedure
    .input(ZStartServerAuthorizationInput)
    .mutation(({ ctx, input }) =>
      prepareBackendAuthorization({ userId: ctx.userId, mcpServerId: input.serverId }),
    ),

  remove: protectedProcedure
    .input(ZRemoveUserServerInput)
    .mutation(({ ctx, input }) => removeUserServer({ ...input, userId: ctx.userId, origin: ctx.origin })),
});
