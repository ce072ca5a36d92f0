-- CreateEnum
CREATE TYPE "ToolSelection" AS ENUM ('ALL', 'CHOSEN', 'READ_ONLY');

-- AlterTable
ALTER TABLE "McpInstance" ADD COLUMN     "confirmDestructiveTools" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "pinToolDefinitions" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "McpInstanceConnection" ADD COLUMN     "includeNewTools" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "toolSelection" "ToolSelection" NOT NULL DEFAULT 'ALL',
ADD COLUMN     "toolsFirstListedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "InstanceTool" (
    "id" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL,
    "mcpServerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "pendingDigest" TEXT,
    "pendingDefinition" JSONB,
    "chosen" BOOLEAN NOT NULL DEFAULT true,
    "heldAsNew" BOOLEAN NOT NULL DEFAULT false,
    "confirm" BOOLEAN,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "InstanceTool_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InstanceTool_mcpServerId_idx" ON "InstanceTool"("mcpServerId");

-- CreateIndex
CREATE INDEX "InstanceTool_lastSeenAt_idx" ON "InstanceTool"("lastSeenAt");

-- CreateIndex
CREATE UNIQUE INDEX "InstanceTool_instanceId_mcpServerId_name_key" ON "InstanceTool"("instanceId", "mcpServerId", "name");

-- AddForeignKey
ALTER TABLE "InstanceTool" ADD CONSTRAINT "InstanceTool_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "McpInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InstanceTool" ADD CONSTRAINT "InstanceTool_mcpServerId_fkey" FOREIGN KEY ("mcpServerId") REFERENCES "McpServer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

