import { SIGN_IN_RATE_LIMITED_CODE } from "@/server/accounts/account-schemas";
import { resolveSameOriginUrl } from "@/server/http/resolve-same-origin-url";

// What the sign-in page says for each Auth.js error. A wrong password and an unknown email get the
// same words on purpose: the form must not reveal which addresses have accounts.

export const INVALID_CREDENTIALS_MESSAGE = "Email or password is incorrect.";

export function describeSignInError(error: string, code?: string | null): string {
  if (error === "CredentialsSignin") {
    return code === SIGN_IN_RATE_LIMITED_CODE
      ? "Too many sign-in attempts. Wait a few minutes and try again."
      : INVALID_CREDENTIALS_MESSAGE;
  }
  if (error === "OAuthAccountNotLinked") {
    return "This email already has a Tumiki account. Sign in with your email and password.";
  }
  if (error === "AccessDenied") return "Sign-in was cancelled or denied.";
  return "Sign-in is not available right now. Try again in a moment.";
}

// A placeholder origin that is never served: a value that resolves to any other origin leaves the site.
const REDIRECT_BASE = "http://tumiki.invalid";

/** A search parameter's first value: a repeated parameter arrives as an array. */
export function firstSearchParam(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Only same-site paths: an absolute or protocol-relative URL here would be an open redirect. */
export function toSafeRedirectPath(value: string | undefined | null, fallback = "/dashboard"): string {
  if (!value?.startsWith("/")) return fallback;
  const url = resolveSameOriginUrl(value, REDIRECT_BASE);
  return url ? `${url.pathname}${url.search}${url.hash}` : fallback;
}

/** A link between the sign-in and sign-up pages that keeps where the user was going (e.g. a consent). */
export function withCallbackUrl(path: string, redirectTo: string): string {
  return redirectTo === "/dashboard" ? path : `${path}?callbackUrl=${encodeURIComponent(redirectTo)}`;
}
