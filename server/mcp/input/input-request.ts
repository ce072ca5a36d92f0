import { randomUUID } from "node:crypto";
import { z } from "zod";
import { isRecord } from "../../protocol/is-record";
import type { TClientCapabilities } from "../client-capabilities";

// What a backend may ask of a client (mrtr.mdx "InputRequests": elicitation, sampling, roots), checked
// against what the client declared: a backend must not ask a client for what it cannot do, and Tumiki
// does not pass such a request on. The wire shape differs by era only for URL-mode elicitation: 2025
// requires an `elicitationId`, 2026-07-28 removed it.

export const ZInputRequest = z.object({
  method: z.enum(["elicitation/create", "sampling/createMessage", "roots/list"]),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type TInputRequest = z.infer<typeof ZInputRequest>;

export const ZInputRequests = z.record(z.string().min(1).max(256), ZInputRequest);

export function canClientAnswer(capabilities: TClientCapabilities, request: TInputRequest): boolean {
  switch (request.method) {
    case "sampling/createMessage":
      return isRecord(capabilities.sampling);
    case "roots/list":
      return isRecord(capabilities.roots);
    case "elicitation/create": {
      const elicitation = capabilities.elicitation;
      if (!isRecord(elicitation)) return false;
      // A bare `elicitation: {}` is form mode (the mode that existed before URL mode).
      if (request.params?.mode === "url") return isRecord(elicitation.url);
      return isRecord(elicitation.form) || !isRecord(elicitation.url);
    }
  }
}

/** The request as a 2025 client must receive it: URL elicitation needs an id there. */
export function toLegacyInputRequest(request: TInputRequest): TInputRequest {
  if (request.method !== "elicitation/create" || request.params?.mode !== "url") return request;
  if (typeof request.params.elicitationId === "string") return request;
  return { ...request, params: { ...request.params, elicitationId: randomUUID() } };
}

/** The request as a 2026-07-28 client must receive it: no elicitationId (removed in that revision). */
export function toModernInputRequest(request: TInputRequest): TInputRequest {
  if (request.method !== "elicitation/create" || !request.params || !("elicitationId" in request.params)) {
    return request;
  }
  const { elicitationId: _removed, ...params } = request.params;
  return { ...request, params };
}

/**
 * A backend's request as an input request the client can answer, or null: `ping` (Tumiki answers it),
 * a method that is no input request, or one the client did not declare (a 2025 client would have
 * refused it too, so the backend is told "method not found").
 */
export function toAnswerableInput(
  capabilities: TClientCapabilities,
  message: { method: string; params?: Record<string, unknown> },
): TInputRequest | null {
  const input = ZInputRequest.safeParse({ method: message.method, params: message.params });
  return input.success && canClientAnswer(capabilities, input.data) ? input.data : null;
}
