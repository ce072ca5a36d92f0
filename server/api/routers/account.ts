import { ZSignUpInput } from "../../accounts/account-schemas";
import { getUserAccount } from "../../accounts/get-user-account";
import { signUpUser } from "../../accounts/sign-up-user";
import { createTRPCRouter, protectedProcedure, publicProcedure } from "../trpc";

export const accountRouter = createTRPCRouter({
  signUp: publicProcedure
    .input(ZSignUpInput)
    .mutation(({ input, ctx }) => signUpUser({ input, origin: ctx.origin })),

  me: protectedProcedure.query(({ ctx }) => getUserAccount({ userId: ctx.userId })),
});
