import { getDb } from "../db";
import { getEnv } from "../env";
import { AppError } from "../errors";

export type TConfirmedOperator = { email: string; createdAt: Date; signInMethods: string[] };

/**
 * Marks the account of a listed operator address as confirmed, so isOperator() accepts it. Run by the
 * deployment's operator from a shell with database access (`npm run admin:confirm-operator -- <email>`)
 * after checking the account is theirs: the answer shows when it was created and how it signs in.
 */
export async function confirmOperator({ email }: { email: string }): Promise<TConfirmedOperator> {
  const normalized = email.trim().toLowerCase();
  if (!getEnv().ADMIN_EMAILS.includes(normalized)) {
    throw new AppError("BAD_REQUEST", {
      userMessage: `${normalized} is not in ADMIN_EMAILS: add it there first.`,
    });
  }
  const user = await getDb().user.findUnique({
    where: { email: normalized },
    select: {
      id: true,
      email: true,
      createdAt: true,
      passwordHash: true,
      accounts: { select: { provider: true } },
    },
  });
  if (!user) {
    throw new AppError("NOT_FOUND", {
      userMessage: `No account has the email ${normalized}: sign up first.`,
    });
  }
  await getDb().user.update({ where: { id: user.id }, data: { emailVerified: new Date() } });
  return {
    email: user.email,
    createdAt: user.createdAt,
    signInMethods: [...(user.passwordHash ? ["password"] : []), ...user.accounts.map((a) => a.provider)],
  };
}
