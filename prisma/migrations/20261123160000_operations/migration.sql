-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('ERROR_REPORT', 'FAILURE_WARNING', 'RULE_DISABLED');

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "autoDisableThreshold" INTEGER NOT NULL DEFAULT 50;

-- AlterTable
ALTER TABLE "WebhookRule" ADD COLUMN     "signingSecretEncrypted" TEXT,
ADD COLUMN     "previousSecretEncrypted" TEXT,
ADD COLUMN     "previousSecretExpiresAt" TIMESTAMP(3),
ADD COLUMN     "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "failureWarningLevel" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastErrorReportAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "ruleId" TEXT,
    "kind" "NotificationKind" NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',
    "emailedAt" TIMESTAMP(3),
    "emailError" TEXT,
    "readAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Notification_organizationId_createdAt_idx" ON "Notification"("organizationId", "createdAt");

-- CreateIndex
CREATE INDEX "Notification_ruleId_kind_createdAt_idx" ON "Notification"("ruleId", "kind", "createdAt");

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "WebhookRule"("id") ON DELETE CASCADE ON UPDATE CASCADE;
