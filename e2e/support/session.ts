import type { APIRequestContext } from "@playwright/test";
import { createTestUser } from "./users";

// Signing in through the API (DESIGN.md convention 11): a spec whose subject is not sign-in creates its
// user with the tRPC sign-up procedure and signs in with Auth.js's credentials callback. The request
// context is the page's (`page.request`), so the session cookie lands in the browser that runs the spec.

export type TTestAccount = ReturnType<typeof createTestUser>;

export async function signUpAndSignIn(request: APIRequestContext): Promise<TTestAccount> {
  const account = createTestUser();
  const signUp = await request.post("/api/trpc/account.signUp", {
    data: { json: { email: account.email, password: account.password, name: account.name } },
  });
  if (!signUp.ok()) throw new Error(`sign-up failed: ${signUp.status()} ${await signUp.text()}`);
  await signIn(request, account);
  return account;
}

export async function signIn(request: APIRequestContext, account: TTestAccount): Promise<void> {
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email: account.email, password: account.password, callbackUrl: "/dashboard" },
    maxRedirects: 0,
  });
  const location = response.headers().location ?? "";
  if (response.status() !== 302 || location.includes("error")) {
    throw new Error(`sign-in failed: ${response.status()} ${location}`);
  }
}
