-- AlterTable
ALTER TABLE "OAuthClient" ADD COLUMN     "clientSecretExpiresAt" TIMESTAMP(3),
ADD COLUMN     "issParameterSupported" BOOLEAN NOT NULL DEFAULT false;
