import { AppError } from "../../errors";

/**
 * The client answered a backend's input request (elicitation, sampling, roots) with an error: the call
 * cannot go on, and ends with that refusal (a tool error for tools/call, else a JSON-RPC error).
 */
export class InputRefusedError extends AppError {
  constructor({ method, message }: { method: string; message?: string }) {
    super("BAD_REQUEST", {
      message: `a client refused ${method}`,
      userMessage: `The client could not answer ${method}${message ? `: ${message.slice(0, 200)}` : "."}`,
    });
    this.name = "InputRefusedError";
  }
}
