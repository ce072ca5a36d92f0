"use client";

import { type ReactNode, useEffect, useRef } from "react";
import { secondaryButton } from "../button-styles";

type OneTimeSecretPanelProps = {
  /** The region's accessible name, e.g. "New API key". */
  label: string;
  /** 2 on a page of its own, 3 inside a section that already has an h2. */
  headingLevel: 2 | 3;
  heading: ReactNode;
  /** The warning, e.g. "Copy this key now. Tumiki keeps only a hash of it and cannot show it again." */
  warning: string;
  /** The secret(s) with their copy buttons, and how to use them. */
  children: ReactNode;
  onDone: () => void;
};

const headingClass = { 2: "text-lg", 3: "text-base" } as const;

/**
 * A freshly created secret, shown this once. Focus (and so a screen reader) moves to its heading when it
 * appears, since the user must act on it before leaving the page.
 */
export function OneTimeSecretPanel({
  label,
  headingLevel,
  heading,
  warning,
  children,
  onDone,
}: OneTimeSecretPanelProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const Heading = headingLevel === 2 ? "h2" : "h3";

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  return (
    <section className="space-y-3 rounded-xl border border-amber-300 bg-amber-50 p-6" aria-label={label}>
      <Heading
        ref={headingRef}
        tabIndex={-1}
        className={`${headingClass[headingLevel]} font-semibold text-slate-900 focus:outline-none`}
      >
        {heading}
      </Heading>
      <p className="text-sm font-medium text-amber-900">{warning}</p>
      {children}
      <button type="button" className={secondaryButton} onClick={onDone}>
        Done
      </button>
    </section>
  );
}
