import { handlers } from "@/server/next-auth";

export const { GET, POST } = handlers;
