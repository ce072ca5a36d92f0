"use client";

import { useState } from "react";
import { secondaryButton } from "../button-styles";

type CopyButtonProps = { value: string; label: string; className?: string };

/**
 * Copies `value` to the clipboard. The button keeps its name (tests and screen readers find it by it);
 * the outcome is announced in a status region next to it.
 */
export function CopyButton({ value, label, className }: CopyButtonProps) {
  const [status, setStatus] = useState<"idle" | "copied" | "failed">("idle");

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setStatus("copied");
    } catch {
      // The Clipboard API needs a secure context and permission; the text stays selectable either way.
      setStatus("failed");
    }
  }

  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        className={`${secondaryButton} px-3 py-1.5 text-xs ${className ?? ""}`}
        onClick={copy}
      >
        {label}
      </button>
      <span role="status" className="text-xs text-slate-600">
        {status === "copied"
          ? "Copied"
          : status === "failed"
            ? "Copy failed: select the text and copy it."
            : ""}
      </span>
    </span>
  );
}
