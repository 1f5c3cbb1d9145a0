"use client";

import { HTTP_METHODS } from "@/lib/domain/rule/request";
import { SelectField } from "./fields";
import { RuleFormBatchSection } from "./batch-section";
import { RuleFormConditionsSection } from "./conditions-section";
import { RuleFormFormatSection } from "./format-section";
import { RuleFormHeadersSection } from "./headers-section";
import { RuleFormLimitsSection } from "./limits-section";
import { RuleFormMappingsSection } from "./mappings-section";
import { RuleFormPreview } from "./preview";
import { RuleFormSection } from "./tabs";
import { RuleFormTimeWindowSection } from "./time-window-section";
import { RuleFormTransportSections } from "./transport-section";

const METHOD_OPTIONS = HTTP_METHODS.map((m) => ({ value: m, label: m }));

/**
 * The "Request" tab: what is sent and when. The preview sits right after the sections that shape
 * the request, so the admin sees the effect of a change without scrolling far.
 */
export function RuleFormRequestTab({ idPrefix, active }: { idPrefix: string; active: boolean }) {
  const code = "rounded bg-slate-100 px-1 font-mono text-xs text-slate-700";
  return (
    <>
      <RuleFormSection
        id={`${idPrefix}-method-heading`}
        title="Method"
        description={
          <>
            The URL is set on the Rule tab and may use lead values: <code className={code}>{"https://api.example.com/{{ lead.office }}/leads"}</code>. Each value is
            URL-encoded, and the address is checked again after it is filled in.
          </>
        }
      >
        <SelectField name="method" label="Method" idPrefix={idPrefix} options={METHOD_OPTIONS} className="max-w-48" hint="GET sends the fields as a query string, with no body." />
      </RuleFormSection>
      <RuleFormHeadersSection idPrefix={idPrefix} />
      <RuleFormMappingsSection idPrefix={idPrefix} />
      <RuleFormFormatSection idPrefix={idPrefix} />
      <RuleFormPreview idPrefix={idPrefix} active={active} />
      <RuleFormConditionsSection idPrefix={idPrefix} />
      <RuleFormTimeWindowSection idPrefix={idPrefix} />
      <RuleFormLimitsSection idPrefix={idPrefix} />
      <RuleFormBatchSection idPrefix={idPrefix} />
      <RuleFormTransportSections idPrefix={idPrefix} />
    </>
  );
}
