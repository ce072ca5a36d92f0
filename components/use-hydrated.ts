"use client";

import { useEffect, useState } from "react";

/**
 * False in the server-rendered HTML and until React has hydrated the page. Forms whose submit is
 * handled in JavaScript keep their submit button disabled until then: a click that came first would
 * otherwise make the browser submit the form natively and reload the page, losing what was typed.
 */
export function useHydrated(): boolean {
  const [isHydrated, setIsHydrated] = useState(false);
  useEffect(() => setIsHydrated(true), []);
  return isHydrated;
}
