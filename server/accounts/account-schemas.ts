import { z } from "zod";

// The shapes of sign-up and sign-in input, shared by the tRPC router, the Credentials provider and the
// forms. Pure zod, so client components may import it without pulling in server code.

/** Lower-cased and trimmed: one person, one account, whatever case they type their address in. */
export const ZEmail = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email("Enter a valid email address.").max(254, "Email addresses are at most 254 characters."));

// The upper bound keeps a single request from spending seconds of argon2 time on a megabyte password.
export const ZPassword = z
  .string()
  .min(8, "Use at least 8 characters.")
  .max(128, "Use at most 128 characters.");

export const ZSignUpInput = z.object({
  email: ZEmail,
  password: ZPassword,
  name: z.string().trim().max(100, "Use at most 100 characters.").optional(),
});

export type TSignUpInput = z.infer<typeof ZSignUpInput>;

// Sign-in accepts any non-empty password: a policy change must not lock out existing accounts.
export const ZSignInInput = z.object({
  email: ZEmail,
  password: z.string().min(1).max(128),
});

export type TSignInInput = z.infer<typeof ZSignInInput>;

export const ZAccountProfile = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
});

export type TAccountProfile = z.infer<typeof ZAccountProfile>;

/** The Auth.js error `code` a rate-limited password sign-in carries back to the form. */
export const SIGN_IN_RATE_LIMITED_CODE = "rate_limited";
