"use client";

import { type ReactNode, type RefObject, useEffect, useId, useRef } from "react";
import { secondaryButton } from "../button-styles";

type ConfirmButtonProps = {
  /** The verb, shown on the button, e.g. "Delete". */
  action: string;
  /**
   * What it acts on, e.g. an instance's name. A list has one such button per row, so the button's accessible
   * name is "Delete Work" and the dialog asks "Delete Work?".
   */
  target: string;
  children: ReactNode;
  /** The dialog's confirming button, e.g. "Delete instance". */
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  /**
   * Where focus goes when the confirmed action removes this button with its row or card (give the
   * element tabIndex -1). Without it, focus would fall back to the start of the page.
   */
  focusAfterRemoval?: RefObject<HTMLElement | null>;
};

const dangerButton =
  "inline-flex items-center justify-center rounded-md bg-red-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700 disabled:cursor-not-allowed disabled:opacity-60";

/** A destructive action behind a modal confirmation (a native <dialog>: focus trap and Escape for free). */
export function ConfirmButton({
  action,
  target,
  children,
  confirmLabel,
  onConfirm,
  disabled,
  focusAfterRemoval,
}: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const textId = useId();
  const confirmed = useRef(false);
  const fallback = useRef(focusAfterRemoval);
  fallback.current = focusAfterRemoval;

  useEffect(
    () => () => {
      // Runs when this button leaves the page. Only a confirmed action that left focus nowhere (on the
      // body, where a removed element drops it) moves it; focus the user put elsewhere stays.
      const fallbackElement = fallback.current?.current;
      const isFocusLost = document.activeElement === null || document.activeElement === document.body;
      if (confirmed.current && isFocusLost && fallbackElement?.isConnected) fallbackElement.focus();
    },
    [],
  );

  return (
    <>
      <button
        type="button"
        className={`${secondaryButton} px-3 py-1.5 text-xs text-red-800`}
        aria-label={`${action} ${target}`}
        disabled={disabled}
        onClick={() => {
          confirmed.current = false;
          dialog.current?.showModal();
        }}
      >
        {action}
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        aria-describedby={textId}
        className="m-auto max-w-md rounded-xl border border-slate-200 p-6 shadow-xl backdrop:bg-slate-900/40"
      >
        <h2 id={titleId} className="text-lg font-semibold text-slate-900">
          {`${action} ${target}?`}
        </h2>
        <div id={textId} className="mt-2 text-sm text-slate-600">
          {children}
        </div>
        <div className="mt-6 flex justify-end gap-3">
          <button type="button" className={secondaryButton} onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button
            type="button"
            className={dangerButton}
            onClick={() => {
              confirmed.current = true;
              dialog.current?.close();
              onConfirm();
            }}
          >
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
