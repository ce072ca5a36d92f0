"use client";

import { useEffect, useRef, useState } from "react";
import { secondaryButton } from "../button-styles";

type CopyButtonProps = {
  value: string;
  label: string;
  /** What is announced after a copy, naming what was copied, e.g. "URL copied". */
  copiedMessage: string;
  className?: string;
};

// Long enough to read, short enough that two buttons next to each other never both say "copied".
const MESSAGE_MS = 2000;

/**
 * Copies `value` to the clipboard. The button keeps its name (tests and screen readers find it by it);
 * the outcome is announced in a polite status region next to it, then cleared.
 */
export function CopyButton({ value, label, copiedMessage, className }: CopyButtonProps) {
  const [message, setMessage] = useState("");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => () => clearTimeout(timer.current), []);

  async function copy() {
    clearTimeout(timer.current);
    // Emptying the region first makes a repeated copy a change a screen reader announces again.
    setMessage("");
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // The Clipboard API needs a secure context and permission; the text stays selectable either way.
      // This message stays: it tells the user what to do instead.
      setMessage("Copy failed: select the text and copy it.");
      return;
    }
    setMessage(copiedMessage);
    timer.current = setTimeout(() => setMessage(""), MESSAGE_MS);
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
      <span role="status" aria-live="polite" className="text-xs text-slate-600">
        {message}
      </span>
    </span>
  );
}
