-- The destination's host[:port], as the per-host limit on requests in flight counts it: written
-- with the delivery (its URL is frozen), so claiming compares a column instead of parsing URLs.
ALTER TABLE "Delivery" ADD COLUMN "host" TEXT NOT NULL DEFAULT '';
UPDATE "Delivery" SET "host" = lower(substring(url from '^[^:/?#]+://(?:[^@/?#]*@)?([^/?#]*)'))
  WHERE url ~ '^[^:/?#]+://';
