import { getDb } from "../db";
import { getEnv } from "../env";

/**
 * Whether the user is an operator: their account's email is in ADMIN_EMAILS AND the address was
 * confirmed as theirs (`emailVerified`, set by `npm run admin:confirm-operator`). Tumiki does not verify
 * addresses at sign-up, so the list alone would make whoever signs up first with a listed address an
 * operator. Read from the database, not the session, so the rule is the account's current state.
 */
export async function isOperator({ userId }: { userId: string }): Promise<boolean> {
  const operators = getEnv().ADMIN_EMAILS;
  if (operators.length === 0) return false;
  const user = await getDb().user.findUnique({
    where: { id: userId },
    select: { email: true, emailVerified: true },
  });
  return user !== null && user.emailVerified !== null && operators.includes(user.email.toLowerCase());
}
