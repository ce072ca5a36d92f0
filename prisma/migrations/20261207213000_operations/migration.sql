-- AlterTable
ALTER TABLE "AuditLog" ADD COLUMN     "durationMs" INTEGER;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "mcpRequestLimit" INTEGER;

-- CreateIndex
CREATE INDEX "AuditLog_mcpServerId_createdAt_idx" ON "AuditLog"("mcpServerId", "createdAt");

-- CreateIndex
CREATE INDEX "RefreshToken_expiresAt_idx" ON "RefreshToken"("expiresAt");

