import { after } from "next/server";

// Work that must outlive the response (a backend call suspended for a client's answer, a stream's
// clean-up). In a Next.js request, `after` keeps the function alive until it settles (on Vercel: within
// maxDuration); outside one (tests serving route handlers directly, scripts) there is no request scope,
// and the Node process simply runs the promise to its end.

export function waitUntil(work: Promise<unknown>): void {
  try {
    after(work);
  } catch {
    // Not inside a Next.js request: nothing to extend.
  }
}
