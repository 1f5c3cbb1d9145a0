-- AlterTable
ALTER TABLE "WebhookRule" ADD COLUMN     "wrapInEnvelope" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "conditions" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "timeWindow" JSONB,
ADD COLUMN     "lastTestedAt" TIMESTAMP(3),
ADD COLUMN     "lastTestResult" JSONB;

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "responseValues" JSONB;

-- AlterTable
ALTER TABLE "DeliveryAttempt" ADD COLUMN     "bodyTruncated" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "parsedError" JSONB;
