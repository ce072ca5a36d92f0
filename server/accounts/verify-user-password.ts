import { getDb } from "../db";
import { type TAccountProfile, type TSignInInput, ZSignInInput } from "./account-schemas";
import { getDummyPasswordHash, isPasswordMatch } from "./password-hashing";

/** The account when the password is right; null for a wrong password, an unknown email or an OIDC-only user. */
export async function verifyUserPassword(options: TSignInInput): Promise<TAccountProfile | null> {
  const { email, password } = ZSignInInput.parse(options);
  const user = await getDb().user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true },
  });
  // Always run one argon2 verification, so the answer takes the same time whether or not the account exists.
  const passwordHash = user?.passwordHash ?? (await getDummyPasswordHash());
  const isMatch = await isPasswordMatch(passwordHash, password);
  if (!user?.passwordHash || !isMatch) return null;
  return { id: user.id, email: user.email, name: user.name };
}
