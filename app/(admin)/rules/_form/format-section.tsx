"use client";

import { useWatch } from "react-hook-form";
import { Checkbox } from "@/components/ui/checkbox";
import { describedBy, Field, Textarea } from "@/components/ui/field";
import { PAYLOAD_FORMATS, TEMPLATE_MAX } from "@/lib/domain/rule/request";
import { fieldId, useFieldError } from "@/components/ui/form-fields";
import { AnswerVariables } from "./answer-variables";
import { SelectField, useRuleForm } from "./fields";
import { RuleFormSection } from "./tabs";

const TEMPLATE_PLACEHOLDER = {
  XML: "<lead>\n  <email>{{ lead.email | xml_escape }}</email>\n  <name>{{ lead.firstName | xml_escape }} {{ lead.lastName | xml_escape }}</name>\n</lead>",
  TEMPLATE: '{{ lead.lastName | csv_escape }},{{ lead.firstName | csv_escape }},{{ lead.phone | pad_left: 12, "0" }}',
} as const;

/** The body's format: JSON, form URL-encoded, or an XML / text template. */
export function RuleFormFormatSection({ idPrefix }: { idPrefix: string }) {
  const { control, register } = useRuleForm();
  const format = useWatch({ control, name: "payloadFormat" }) ?? "JSON";
  const templateId = fieldId(idPrefix, "payloadTemplate");
  const templateError = useFieldError("payloadTemplate");
  const usesTemplate = format === "XML" || format === "TEMPLATE";

  return (
    <RuleFormSection
      id={`${idPrefix}-format-heading`}
      title="Payload format"
      description="How the mapped fields are written in the request body. The Content-Type header follows the format unless a custom header sets it."
    >
      <SelectField name="payloadFormat" label="Payload format" idPrefix={idPrefix} options={PAYLOAD_FORMATS} className="max-w-md" />
      {format === "JSON" && (
        <Checkbox
          id={fieldId(idPrefix, "wrapInEnvelope")}
          label="Wrap in the event envelope"
          hint="Send { id, type, timestamp, organization, data: { lead } } with the mapped fields as the lead. Off: the mapped object alone."
          {...register("wrapInEnvelope")}
        />
      )}
      {usesTemplate && (
        <Field label={format === "XML" ? "XML template" : "Body template"} htmlFor={templateId} hint={<TemplateHelp />} error={templateError}>
          <Textarea
            id={templateId}
            rows={8}
            spellCheck={false}
            maxLength={TEMPLATE_MAX}
            placeholder={TEMPLATE_PLACEHOLDER[format]}
            aria-invalid={!!templateError}
            aria-describedby={describedBy(templateId, templateError, true)}
            {...register("payloadTemplate")}
          />
        </Field>
      )}
      {usesTemplate && <AnswerVariables />}
    </RuleFormSection>
  );
}

function TemplateHelp() {
  const code = "rounded bg-slate-100 px-1 font-mono text-[11px] text-slate-700";
  return (
    <>
      Liquid: <code className={code}>{"{{ lead.email }}"}</code>, <code className={code}>{"{% if lead.phone %}…{% endif %}"}</code>; mapped fields as{" "}
      <code className={code}>{"{{ fields.email_address }}"}</code>. Values are inserted as they are: escape them with <code className={code}>xml_escape</code>,{" "}
      <code className={code}>csv_escape</code> (<code className={code}>{'csv_escape: "|"'}</code> for pipes) or <code className={code}>url_encode</code>. Fixed-width:{" "}
      <code className={code}>{'pad_left: 10, "0"'}</code> and <code className={code}>{"pad_right: 20"}</code> pad or cut to the width.
    </>
  );
}
