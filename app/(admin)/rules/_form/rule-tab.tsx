"use client";

import { useWatch } from "react-hook-form";
import { describedBy, Field, Input, Select } from "@/components/ui/field";
import { EVENT_TYPES, eventType, hasCreationRules } from "@/lib/domain/event-types";
import type { ReferenceLists } from "@/lib/reference/queries";
import { TITLE_MAX, URL_MAX } from "@/lib/rules/form/rule";
import { errorMessage, ReferenceSelect, useRuleForm, YesNoSelect } from "./fields";
import { RuleFormDuplicatesSection } from "./duplicates-section";
import { RuleFormSection } from "./tabs";

/** The "Rule" tab: Description, URL, Trigger and (for triggers that have them) Creation Rules. */
export function RuleFormRuleTab({
  idPrefix,
  references,
  allowInsecureUrls,
  initialEvents,
}: {
  idPrefix: string;
  references: ReferenceLists;
  allowInsecureUrls: boolean;
  /** The events the rule was loaded with; kept as options even if the catalogue dropped one. */
  initialEvents: readonly string[];
}) {
  const { register, formState, control } = useRuleForm();
  const { errors } = formState;
  const events = useWatch({ control, name: "events" }) ?? [];
  const id = (name: string) => `${idPrefix}-${name}`;
  const titleError = errorMessage(errors, "title");
  const urlError = errorMessage(errors, "url");
  const triggerError = errorMessage(errors, "events");
  const urlHint = `The endpoint your integration platform gave you (Zapier, Make, your CRM…). ${
    allowInsecureUrls ? "http:// is allowed on this server." : "Must start with https://."
  } It may use lead values, e.g. https://api.example.com/{{ lead.office }}/leads.`;
  const chosen = events.map((name) => eventType(name)).filter((e) => e !== undefined);
  const description = [
    chosen.length === 1 ? chosen[0]!.description : chosen.length > 1 ? `${chosen.length} triggers: ${chosen.map((e) => e.label).join(", ")}.` : "",
    "Hold Ctrl (⌘ on a Mac) to choose several.",
  ].join(" ");

  return (
    <>
      <RuleFormSection id={id("description-heading")} title="Description" description="A name your team will recognise, and whether the rule sends at all.">
        <Field label="Title" htmlFor={id("title")} error={titleError}>
          <Input id={id("title")} maxLength={TITLE_MAX} autoComplete="off" aria-invalid={!!titleError} aria-describedby={describedBy(id("title"), titleError)} {...register("title")} />
        </Field>
        <YesNoSelect name="enabled" label="Enabled" idPrefix={idPrefix} hint="A disabled rule keeps its settings but sends nothing." />
      </RuleFormSection>

      <RuleFormSection id={id("url-heading")} title="URL" description="Where the lead is sent.">
        <Field label="URL" htmlFor={id("url")} hint={urlHint} error={urlError}>
          <Input
            id={id("url")}
            type="url"
            inputMode="url"
            maxLength={URL_MAX}
            autoComplete="off"
            spellCheck={false}
            placeholder="https://hooks.example.com/leads"
            aria-invalid={!!urlError}
            aria-describedby={describedBy(id("url"), urlError, true)}
            {...register("url")}
          />
        </Field>
      </RuleFormSection>

      <RuleFormSection id={id("trigger-heading")} title="Trigger" description="The lead events that send this webhook.">
        <Field label="Trigger" htmlFor={id("trigger")} hint={description} error={triggerError}>
          <Select
            id={id("trigger")}
            multiple
            size={Math.min(EVENT_TYPES.length, 6)}
            aria-invalid={!!triggerError}
            aria-describedby={describedBy(id("trigger"), triggerError, true)}
            {...register("events")}
          >
            {initialEvents.filter((name) => !eventType(name)).map((name) => (
              <option key={name} value={name}>
                Unknown event ({name})
              </option>
            ))}
            {EVENT_TYPES.map((e) => (
              <option key={e.name} value={e.name}>
                {e.label}
              </option>
            ))}
          </Select>
        </Field>
      </RuleFormSection>

      {hasCreationRules(events) && <CreationRules idPrefix={idPrefix} references={references} />}
      <RuleFormDuplicatesSection idPrefix={idPrefix} />
    </>
  );
}

function CreationRules({ idPrefix, references }: { idPrefix: string; references: ReferenceLists }) {
  const { register, formState, control, setValue } = useRuleForm();
  const statusId = useWatch({ control, name: "statusId" });
  const substatuses = references.statuses.find((s) => s.id === statusId)?.substatuses ?? [];
  const caseTypesId = `${idPrefix}-caseTypeIds`;
  const caseTypesError = errorMessage(formState.errors, "caseTypeIds");
  const caseTypesHint = "Hold Ctrl (⌘ on Mac) to select several. None selected: any case type.";

  return (
    <RuleFormSection id={`${idPrefix}-creation-heading`} title="Creation Rules" description="Send only for leads that match every choice below. “Any” matches all leads.">
      <ReferenceSelect
        name="statusId"
        label="Associated lead status"
        options={references.statuses}
        idPrefix={idPrefix}
        // A substatus only makes sense under its own status.
        onChange={() => setValue("substatusId", "", { shouldDirty: true })}
      />
      {substatuses.length > 0 && <ReferenceSelect name="substatusId" label="Substatus" options={substatuses} idPrefix={idPrefix} />}
      <Field label="Case type" htmlFor={caseTypesId} hint={caseTypesHint} error={caseTypesError}>
        <Select
          id={caseTypesId}
          multiple
          size={Math.min(Math.max(references.caseTypes.length, 3), 8)}
          aria-invalid={!!caseTypesError}
          aria-describedby={describedBy(caseTypesId, caseTypesError, true)}
          {...register("caseTypeIds")}
        >
          {references.caseTypes.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </Select>
      </Field>
      <ReferenceSelect name="officeId" label="Office" options={references.offices} idPrefix={idPrefix} />
      <ReferenceSelect name="opportunitySourceId" label="Opportunity Source" options={references.opportunitySources} idPrefix={idPrefix} />
      <ReferenceSelect name="marketingSourceId" label="Marketing Source" options={references.marketingSources} idPrefix={idPrefix} />
      <YesNoSelect name="requiresCaseTrackerCode" label="Requires Case Tracker Code" idPrefix={idPrefix} hint="Yes: only leads that have a case tracker code." />
    </RuleFormSection>
  );
}
