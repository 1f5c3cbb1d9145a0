-- CreateEnum
CREATE TYPE "SkipKind" AS ENUM ('CONDITIONS');

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "skipKind" "SkipKind";

-- Deliveries the conditions skipped before this column existed: their reason reads "Skipped: …".
UPDATE "Delivery" SET "skipKind" = 'CONDITIONS' WHERE state = 'SKIPPED' AND "lastError" LIKE 'Skipped: %';
