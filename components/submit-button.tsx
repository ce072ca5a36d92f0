"use client";

import type { ReactNode } from "react";
import { primaryButton } from "./button-styles";
import { useHydrated } from "./use-hydrated";

/**
 * The primary submit button of a JavaScript-handled form: disabled while the submit is pending and
 * until the page has hydrated (see useHydrated), showing `pendingLabel` while pending when given.
 */
export function SubmitButton({
  isPending,
  pendingLabel,
  disabled = false,
  className,
  children,
}: {
  isPending: boolean;
  pendingLabel?: ReactNode;
  disabled?: boolean;
  /** Extra classes appended to the primary button style. */
  className?: string;
  children: ReactNode;
}) {
  const isHydrated = useHydrated();
  return (
    <button
      type="submit"
      className={className ? `${primaryButton} ${className}` : primaryButton}
      disabled={isPending || disabled || !isHydrated}
    >
      {isPending && pendingLabel !== undefined ? pendingLabel : children}
    </button>
  );
}
