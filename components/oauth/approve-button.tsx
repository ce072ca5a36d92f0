"use client";

import { useEffect, useState } from "react";
import { primaryButton } from "../button-styles";
import { armAfterAttention } from "./arm-after-attention";

// Long enough that the second click of a double click cannot land on it, short enough to go unnoticed.
const ARM_DELAY_MS = 500;

/** The consent form's Approve button, disabled until the user has had the page in front of them. */
export function ApproveButton() {
  const [armed, setArmed] = useState(false);
  useEffect(() => armAfterAttention({ view: window, delayMs: ARM_DELAY_MS, onArmedChange: setArmed }), []);
  return (
    <button
      type="submit"
      name="decision"
      value="approve"
      disabled={!armed}
      className={`${primaryButton} flex-1`}
    >
      Approve
    </button>
  );
}
