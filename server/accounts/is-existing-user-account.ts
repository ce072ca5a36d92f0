import { getDb } from "../db";

/**
 * Whether the account behind a session still exists. Sessions are JWTs that the database never sees,
 * so a deleted account's cookie stays valid until it expires; every signed-in entry point asks this.
 */
export async function isExistingUserAccount({ userId }: { userId: string }): Promise<boolean> {
  const user = await getDb().user.findUnique({ where: { id: userId }, select: { id: true } });
  return user !== null;
}
