"use client";

import type { FormEvent, ReactNode } from "react";
import { useHydrated } from "./use-hydrated";

/**
 * A form handled in JavaScript. Its fields stay disabled until React has hydrated the page: typing
 * before that would be reset by hydration, and a submit would post the form natively and reload the
 * page. `method="post"` keeps even such a post from putting what was typed (a password) in the URL.
 * The classes go on the fieldset, which is the form's visible box.
 */
export function ClientForm({
  onSubmit,
  className,
  noValidate,
  children,
}: {
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  className?: string;
  noValidate?: boolean;
  children: ReactNode;
}) {
  const isHydrated = useHydrated();
  return (
    <form method="post" onSubmit={onSubmit} noValidate={noValidate}>
      <fieldset disabled={!isHydrated} className={`min-w-0 ${className ?? ""}`}>
        {children}
      </fieldset>
    </form>
  );
}
