import { getDb } from "../db";
import type { McpInstance } from "../generated/prisma/client";
import { type TCreateInstanceInput, ZCreateInstanceInput } from "./instance-schemas";

type TCreateInstanceOptions = TCreateInstanceInput & { userId: string };

export async function createInstance({ userId, ...input }: TCreateInstanceOptions): Promise<McpInstance> {
  const { name } = ZCreateInstanceInput.parse(input);
  return getDb().mcpInstance.create({ data: { userId, name } });
}
