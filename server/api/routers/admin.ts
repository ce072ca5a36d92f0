import { ZFindUsersWithLimitsInput, ZSetUserMcpRequestLimitInput } from "../../admin/admin-schemas";
import { findUsersWithLimits } from "../../admin/find-users-with-limits";
import { isOperator } from "../../admin/is-operator";
import { setUserMcpRequestLimit } from "../../admin/set-user-mcp-request-limit";
import { AppError } from "../../errors";
import { createTRPCRouter, protectedProcedure } from "../trpc";

// The admin page: operators (ADMIN_EMAILS) see every user's /mcp limit and may change it. Anyone else
// is refused before any input is read.
const adminProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  if (!(await isOperator({ userId: ctx.userId }))) {
    throw new AppError("FORBIDDEN", {
      message: `admin call by non-operator ${ctx.userId}`,
      userMessage: "Only operators can do this.",
    });
  }
  return next();
});

export const adminRouter = createTRPCRouter({
  users: adminProcedure.input(ZFindUsersWithLimitsInput).query(({ input }) => findUsersWithLimits(input)),

  setMcpRequestLimit: adminProcedure
    .input(ZSetUserMcpRequestLimitInput)
    .mutation(({ ctx, input }) =>
      setUserMcpRequestLimit({ operatorUserId: ctx.userId, input, origin: ctx.origin }),
    ),
});
