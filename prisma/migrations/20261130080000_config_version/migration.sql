-- The version of what accepting an event reads about an organization besides its own row: its
-- rules (creation rules, request settings, case types), its reference lists and its signing keys.
-- Every change to those bumps it (triggers below, whoever writes), so processes that cache them
-- know at once, from the organization row they read anyway, that their copy is stale.
ALTER TABLE "Organization" ADD COLUMN "configVersion" INTEGER NOT NULL DEFAULT 0;

CREATE FUNCTION leadhooks_bump_config_version(org TEXT) RETURNS VOID LANGUAGE sql AS $$
  UPDATE "Organization" SET "configVersion" = "configVersion" + 1 WHERE id = org
$$;

-- A rule's health, circuit-breaker and test-connection columns change with deliveries, not with its settings: an
-- update of those alone leaves the version alone. Every other column counts, including ones added later.
CREATE FUNCTION leadhooks_rule_config_changed() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
  volatile TEXT[] := ARRAY['consecutiveFailures', 'failureWarningLevel', 'lastErrorReportAt', 'lastTestedAt', 'lastTestResult', 'pausedUntil', 'pauseReason', 'updatedAt'];
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (to_jsonb(OLD) - volatile) = (to_jsonb(NEW) - volatile) THEN RETURN NULL; END IF;
    PERFORM leadhooks_bump_config_version(NEW."organizationId");
    IF NEW."organizationId" <> OLD."organizationId" THEN PERFORM leadhooks_bump_config_version(OLD."organizationId"); END IF;
  ELSIF TG_OP = 'INSERT' THEN
    PERFORM leadhooks_bump_config_version(NEW."organizationId");
  ELSE
    PERFORM leadhooks_bump_config_version(OLD."organizationId");
  END IF;
  RETURN NULL;
END $$;

-- Reference items and signing keys: any change counts.
CREATE FUNCTION leadhooks_org_config_changed() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM leadhooks_bump_config_version(OLD."organizationId"); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM leadhooks_bump_config_version(NEW."organizationId"); END IF;
  RETURN NULL;
END $$;

-- A rule's case types belong to the organization through the rule.
CREATE FUNCTION leadhooks_rule_case_types_changed() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM leadhooks_bump_config_version(r."organizationId")
  FROM "WebhookRule" r WHERE r.id = CASE WHEN TG_OP = 'DELETE' THEN OLD."ruleId" ELSE NEW."ruleId" END;
  RETURN NULL;
END $$;

CREATE TRIGGER "WebhookRule_config_version" AFTER INSERT OR UPDATE OR DELETE ON "WebhookRule"
  FOR EACH ROW EXECUTE FUNCTION leadhooks_rule_config_changed();
CREATE TRIGGER "ReferenceItem_config_version" AFTER INSERT OR UPDATE OR DELETE ON "ReferenceItem"
  FOR EACH ROW EXECUTE FUNCTION leadhooks_org_config_changed();
CREATE TRIGGER "SigningKey_config_version" AFTER INSERT OR UPDATE OR DELETE ON "SigningKey"
  FOR EACH ROW EXECUTE FUNCTION leadhooks_org_config_changed();
CREATE TRIGGER "RuleCaseType_config_version" AFTER INSERT OR UPDATE OR DELETE ON "RuleCaseType"
  FOR EACH ROW EXECUTE FUNCTION leadhooks_rule_case_types_changed();
