"use client";

import type { ReactNode } from "react";
import { primaryButton } from "./button-styles";

/**
 * The primary submit button of a ClientForm (which keeps it disabled until hydration): disabled while
 * the submit is pending, showing `pendingLabel` meanwhile when given.
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
  return (
    <button
      type="submit"
      className={className ? `${primaryButton} ${className}` : primaryButton}
      disabled={isPending || disabled}
    >
      {isPending && pendingLabel !== undefined ? pendingLabel : children}
    </button>
  );
}
