-- The client's answer kept on the lead: per rule, the values its response parser extracted from
-- the latest response ({"rul_…": {"remoteId": "A-17"}}). Deliveries already keep theirs in
-- "responseValues".
ALTER TABLE "Lead" ADD COLUMN "answers" JSONB NOT NULL DEFAULT '{}';
