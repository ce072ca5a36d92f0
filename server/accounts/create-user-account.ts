import { getDb } from "../db";
import { AppError } from "../errors";
import { isUniqueViolation } from "../is-unique-violation";
import { type TAccountProfile, type TSignUpInput, ZSignUpInput } from "./account-schemas";
import { hashPassword } from "./password-hashing";

export async function createUserAccount(options: TSignUpInput): Promise<TAccountProfile> {
  // Parsed again here so every caller gets the same normalization, not only the tRPC router.
  const { email, password, name } = ZSignUpInput.parse(options);
  const passwordHash = await hashPassword(password);
  try {
    return await getDb().user.create({
      data: { email, passwordHash, name: name || null },
      select: { id: true, email: true, name: true },
    });
  } catch (error) {
    // The unique index decides, not a prior lookup: two concurrent sign-ups cannot both win.
    if (isUniqueViolation(error)) {
      throw new AppError("CONFLICT", {
        message: "sign-up with an email that already has an account",
        userMessage: "An account with this email already exists. Sign in instead.",
        cause: error,
      });
    }
    throw error;
  }
}
