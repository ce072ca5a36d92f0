import { httpRequestDuration, httpRequests } from "./tumiki-metrics";

// The HTTP figures of one route family, wrapped around each route export of the family (the wrapper of
// convention 7 for figures). Recorded when the handler has its Response, i.e. when the headers are
// ready: a stream that stays open for minutes afterwards is a success at the moment it starts, and its
// length is counted by tumiki_open_streams instead. The route label is the family, never the URL (which
// holds instance ids).

export type TRouteFamily = "mcp" | "oauth" | "well_known" | "api" | "trpc" | "auth";

const outcomeOf = (status: number) =>
  status >= 500 ? "server_error" : status >= 400 ? "client_error" : "success";

export function withRouteMetrics<R extends Request, C extends unknown[]>(
  route: TRouteFamily,
  handler: (request: R, ...rest: C) => Response | Promise<Response>,
): (request: R, ...rest: C) => Promise<Response> {
  return async (request, ...rest) => {
    const started = performance.now();
    const record = (status: number) => {
      httpRequests.inc({ route, method: request.method, status: String(status) });
      httpRequestDuration.observe(
        { route, outcome: outcomeOf(status) },
        (performance.now() - started) / 1000,
      );
    };
    try {
      const response = await handler(request, ...rest);
      record(response.status);
      return response;
    } catch (error) {
      // The framework answers a handler that throws with 500.
      record(500);
      throw error;
    }
  };
}
