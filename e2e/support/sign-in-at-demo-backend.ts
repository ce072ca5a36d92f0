import type { Page } from "@playwright/test";

// The demo backend's sign-in page in the Servers page's popup, as a user answers it: the popup opens
// on `trigger` (Add and connect, Connect, Reconnect), the user types an account name (each name is its
// own account at the demo backend, with its own notes) and allows or denies; the popup then closes.

export async function signInAtDemoBackend(
  page: Page,
  {
    trigger,
    account,
    answer = "Allow",
  }: { trigger: () => Promise<void>; account: string; answer?: "Allow" | "Deny" },
): Promise<void> {
  const popupOpened = page.waitForEvent("popup");
  await trigger();
  const popup = await popupOpened;
  await popup.getByLabel("Account name").fill(account);
  const closed = popup.waitForEvent("close");
  await popup.getByRole("button", { name: answer }).click();
  await closed;
}
