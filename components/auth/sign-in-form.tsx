"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { secondaryButton, textLink } from "../button-styles";
import { ClientForm } from "../client-form";
import { SubmitButton } from "../submit-button";
import { FormAlert } from "./form-alert";
import { describeSignInError, withCallbackUrl } from "./sign-in-messages";
import { TextField } from "./text-field";

type SignInFormProps = {
  redirectTo: string;
  initialError: string | null;
  singleSignOn: { id: string; name: string } | null;
};

export function SignInForm({ redirectTo, initialError, singleSignOn }: SignInFormProps) {
  const [error, setError] = useState<string | null>(initialError);
  const [isPending, setIsPending] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setIsPending(true);
    setError(null);
    try {
      const result = await signIn("credentials", {
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        redirect: false,
      });
      if (!result?.error) {
        // A full navigation, so every server component renders with the new session cookie.
        window.location.assign(redirectTo);
        return;
      }
      setError(describeSignInError(result.error, result.code));
    } catch {
      setError("Tumiki could not be reached. Check your connection and try again.");
    }
    setIsPending(false);
  }

  return (
    <div className="space-y-6">
      <ClientForm onSubmit={handleSubmit} className="space-y-4">
        <FormAlert message={error} />
        <TextField label="Email" name="email" type="email" autoComplete="email" required />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
        <SubmitButton isPending={isPending} pendingLabel="Signing in…" className="w-full">
          Sign in
        </SubmitButton>
      </ClientForm>
      {singleSignOn ? (
        <div className="space-y-3">
          <p className="text-center text-xs uppercase tracking-wide text-slate-500">or</p>
          <button
            type="button"
            className={`${secondaryButton} w-full`}
            onClick={() => signIn(singleSignOn.id, { redirectTo })}
          >
            Continue with {singleSignOn.name}
          </button>
        </div>
      ) : null}
      <p className="text-sm text-slate-600">
        New to Tumiki?{" "}
        <Link href={withCallbackUrl("/sign-up", redirectTo)} className={textLink}>
          Create an account
        </Link>
      </p>
    </div>
  );
}
