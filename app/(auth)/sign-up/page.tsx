import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthShell } from "@/components/auth/auth-shell";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { auth } from "@/server/next-auth";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage() {
  if (await auth()) redirect("/dashboard");
  return (
    <AuthShell title="Create your Tumiki account">
      <SignUpForm />
    </AuthShell>
  );
}
