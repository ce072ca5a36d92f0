import { getDb } from "../db";
import { AppError } from "../errors";
import type { TAccountProfile } from "./account-schemas";

/** The signed-in user's own account; NOT_FOUND when the session outlived a deleted account. */
export async function getUserAccountOrThrow({ userId }: { userId: string }): Promise<TAccountProfile> {
  const user = await getDb().user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true },
  });
  if (!user)
    throw new AppError("NOT_FOUND", {
      message: `no user ${userId}`,
      userMessage: "Your account no longer exists.",
    });
  return user;
}
