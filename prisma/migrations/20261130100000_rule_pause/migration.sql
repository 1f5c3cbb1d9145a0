-- The circuit breaker's pause, shared by every process: while "pausedUntil" is ahead, no delivery
-- of the rule is claimed. The claim reads the paused rules at every claim; this index holds only
-- the rules whose pause is set, so that read stays tiny.
ALTER TABLE "WebhookRule" ADD COLUMN "pausedUntil" TIMESTAMP(3), ADD COLUMN "pauseReason" TEXT;
CREATE INDEX "WebhookRule_pausedUntil_idx" ON "WebhookRule" ("pausedUntil") WHERE "pausedUntil" IS NOT NULL;
