/** Whether the client authenticated with HTTP Basic: its invalid_client answer is then a 401 challenge. */
export function isBasicAuthRequest({ request }: { request: Request }): boolean {
  return /^basic /i.test(request.headers.get("authorization") ?? "");
}
