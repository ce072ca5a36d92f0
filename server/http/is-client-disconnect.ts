// Whether an error only says that the client went away: the request's signal aborted, it closed the
// connection while its body was still arriving (Node's IncomingMessage error `aborted`), an abort
// reached the work done for it (AbortError, Next.js's ResponseAborted), or a stream was written after
// it closed (a closed controller). That is routine (load generators, cancelled agents, closed laptops)
// and is logged at debug: error and warning lines are for what an operator must look at. A deadline of
// Tumiki's own (TimeoutError) is not a disconnect, nor is a connection reset by a database or backend
// (`read ECONNRESET`): only the client's own connection counts.

const DISCONNECT_NAMES = new Set(["AbortError", "ResponseAborted"]);
const DISCONNECT_MESSAGES = [/^aborted$/, /Controller is already closed/];

export function isClientDisconnect({ error, signal }: { error: unknown; signal?: AbortSignal }): boolean {
  if (signal?.aborted) return true;
  if (!(error instanceof Error)) return false;
  if (DISCONNECT_NAMES.has(error.name)) return true;
  return DISCONNECT_MESSAGES.some((pattern) => pattern.test(error.message));
}
