import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthShell } from "@/components/auth/auth-shell";
import { firstSearchParam, toSafeRedirectPath } from "@/components/auth/sign-in-messages";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { auth } from "@/server/next-auth";

export const metadata: Metadata = { title: "Create an account" };

type SignUpPageProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignUpPage({ searchParams }: SignUpPageProps) {
  const { callbackUrl } = await searchParams;
  // Someone who signs up in the middle of connecting an AI client returns to its consent page.
  const redirectTo = toSafeRedirectPath(firstSearchParam(callbackUrl));
  if (await auth()) redirect(redirectTo);
  return (
    <AuthShell title="Create your Tumiki account">
      <SignUpForm redirectTo={redirectTo} />
    </AuthShell>
  );
}
