import { ZSignUpInput } from "../../accounts/account-schemas";
import { getUserAccountOrThrow } from "../../accounts/get-user-account-or-throw";
import { signUpUser } from "../../accounts/sign-up-user";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../trpc";

export const accountRouter = createTRPCRouter({
  signUp: publicProcedure
    .input(ZSignUpInput)
    .mutation(({ input, ctx }) => signUpUser({ input, origin: ctx.origin })),

  me: protectedProcedure.query(({ ctx }) => getUserAccountOrThrow({ userId: ctx.userId })),
});
