-- AlterTable
ALTER TABLE "DeliveryAttempt" ADD COLUMN     "reportedAt" TIMESTAMP(3);
