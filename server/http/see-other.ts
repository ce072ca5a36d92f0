/**
 * A 303 See Other to `location`, never cached: the browser follows it with a GET whatever the method
 * was, which is what the authorization endpoint's answers (and a form post's) must do.
 */
export function seeOther({ location }: { location: string }): Response {
  return new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });
}
