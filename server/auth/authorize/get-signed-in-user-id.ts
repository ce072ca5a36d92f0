import { isExistingUserAccount } from "../../accounts/is-existing-user-account";
import { auth } from "../../next-auth";

// The user behind the session cookie, or null. A session outlives a deleted account (it is a JWT), so
// the account's existence is checked too: a deleted user must not approve anything.

export async function getSignedInUserId(): Promise<string | null> {
  const userId = (await auth())?.user?.id;
  if (!userId) return null;
  return (await isExistingUserAccount({ userId })) ? userId : null;
}
