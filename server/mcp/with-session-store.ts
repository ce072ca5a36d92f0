import { AppError } from "../errors";

// Every session read and write goes to Redis; when Redis is down the request cannot be served (there
// is no other place sessions live), and the client is told so plainly rather than seeing a 500.

export async function withSessionStore<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("UNAVAILABLE", {
      message: "the MCP session store (Redis) failed",
      userMessage: "Tumiki's session store is unavailable. Try again shortly.",
      cause: error,
    });
  }
}
