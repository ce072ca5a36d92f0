"use client";

import { TRPCClientError } from "@trpc/client";
import Link from "next/link";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { z } from "zod";
import { ZSignUpInput } from "@/server/accounts/account-schemas";
import type { TPublicErrorData } from "@/server/api/trpc";
import { textLink } from "../button-styles";
import { ClientForm } from "../client-form";
import { SubmitButton } from "../submit-button";
import { api } from "../trpc";
import { FormAlert } from "./form-alert";
import { withCallbackUrl } from "./sign-in-messages";
import { TextField } from "./text-field";

type FieldErrors = Partial<Record<"name" | "email" | "password", string>>;

function firstErrors(fieldErrors: Record<string, string[] | undefined> | undefined): FieldErrors {
  const result: FieldErrors = {};
  for (const key of ["name", "email", "password"] as const) {
    const message = fieldErrors?.[key]?.[0];
    if (message) result[key] = message;
  }
  return result;
}

export function SignUpForm({ redirectTo }: { redirectTo: string }) {
  const signUp = api.account.signUp.useMutation();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [isSigningIn, setIsSigningIn] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    // After React renders the errors, move focus to the first field that has one.
    const focusFirstInvalid = () =>
      requestAnimationFrame(() =>
        formElement.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus(),
      );
    const raw = {
      name: String(form.get("name") ?? "") || undefined,
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
    };
    setError(null);
    // The same schema the server enforces, checked first so mistakes show without a round trip.
    const parsed = ZSignUpInput.safeParse(raw);
    if (!parsed.success) {
      setFieldErrors(firstErrors(z.flattenError(parsed.error).fieldErrors));
      focusFirstInvalid();
      return;
    }
    setFieldErrors({});
    try {
      await signUp.mutateAsync(parsed.data);
    } catch (cause) {
      if (cause instanceof TRPCClientError) {
        const data = cause.data as TPublicErrorData | undefined;
        setFieldErrors(firstErrors(data?.fieldErrors));
        setError(cause.message);
        focusFirstInvalid();
      } else {
        setError("Tumiki could not be reached. Check your connection and try again.");
      }
      return;
    }
    setIsSigningIn(true);
    const result = await signIn("credentials", {
      email: parsed.data.email,
      password: raw.password,
      redirect: false,
    }).catch(() => undefined);
    if (result && !result.error) {
      window.location.assign(redirectTo);
      return;
    }
    setIsSigningIn(false);
    setError("Your account was created, but signing you in failed. Sign in to continue.");
  }

  const isPending = signUp.isPending || isSigningIn;
  return (
    <div className="space-y-6">
      <ClientForm onSubmit={handleSubmit} className="space-y-4" noValidate>
        <FormAlert message={error} />
        <TextField
          label="Name (optional)"
          name="name"
          type="text"
          autoComplete="name"
          error={fieldErrors.name}
        />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          required
          error={fieldErrors.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          hint="At least 8 characters."
          error={fieldErrors.password}
        />
        <SubmitButton isPending={isPending} pendingLabel="Creating your account…" className="w-full">
          Create account
        </SubmitButton>
      </ClientForm>
      <p className="text-sm text-slate-600">
        Already have an account?{" "}
        <Link href={withCallbackUrl("/sign-in", redirectTo)} className={textLink}>
          Sign in
        </Link>
      </p>
    </div>
  );
}
