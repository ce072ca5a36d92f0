import { createTRPCReact } from "@trpc/react-query";
import type { AppRouter } from "@/server/api/root";

// Type-only import of the router: no server code reaches the browser bundle.
export const api = createTRPCReact<AppRouter>();
