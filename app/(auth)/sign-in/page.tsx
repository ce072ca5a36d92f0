import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthShell } from "@/components/auth/auth-shell";
import { SignInForm } from "@/components/auth/sign-in-form";
import {
  describeSignInError,
  firstSearchParam,
  toSafeRedirectPath,
} from "@/components/auth/sign-in-messages";
import { isExistingUserAccount } from "@/server/accounts/is-existing-user-account";
import { auth, getSingleSignOnProvider } from "@/server/next-auth";

export const metadata: Metadata = { title: "Sign in" };

type SignInPageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignInPage({ searchParams }: SignInPageProps) {
  const params = await searchParams;
  const redirectTo = toSafeRedirectPath(firstSearchParam(params.callbackUrl));
  // Only a session of an existing account skips the form: the dashboard sends a deleted account's
  // session here, and redirecting it back would loop.
  const userId = (await auth())?.user?.id;
  if (userId && (await isExistingUserAccount({ userId }))) redirect(redirectTo);
  // Auth.js sends OIDC failures (and no-JavaScript credential failures) back here as ?error=…&code=….
  const error = firstSearchParam(params.error);
  return (
    <AuthShell title="Sign in to Tumiki">
      <SignInForm
        redirectTo={redirectTo}
        initialError={error ? describeSignInError(error, firstSearchParam(params.code)) : null}
        singleSignOn={getSingleSignOnProvider()}
      />
    </AuthShell>
  );
}
