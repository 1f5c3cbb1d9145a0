"use client";

import { useController } from "react-hook-form";
import { describedBy, Input, Select } from "@/components/ui/field";
import { RowField } from "@/components/ui/row-field";
import { fieldId, useFieldError } from "@/components/ui/form-fields";
import { useAnswerPaths } from "./answer-variables";
import { useRuleForm, type RulePath } from "./fields";

// The lead field picker of a field mapping ("Lead field" source) and of a condition: a select of
// the template context's common paths, plus "Custom field…" with a name box for
// lead.customFields.<name>, and the earlier rules' kept answers (answers.<rule id>.<name>).

export const FIELD_PATHS = [
  "lead.email",
  "lead.phone",
  "lead.firstName",
  "lead.lastName",
  "lead.status",
  "lead.substatus",
  "lead.caseType",
  "lead.office",
  "lead.opportunitySource",
  "lead.marketingSource",
  "lead.caseTrackerCode",
  "lead.score",
  "lead.createdAt",
  "lead.id",
  "event.type",
  "event.id",
  "event.timestamp",
  "organization.name",
  "note.body",
] as const;

const CUSTOM_PREFIX = "lead.customFields.";
const CUSTOM = "__custom";

/**
 * `name` holds the full path. A path the list does not know (saved through the API, e.g.
 * changes.status) stays as an option of its own, so opening the form does not change it.
 */
export function FieldPathPicker({ name, label, customLabel, idPrefix }: { name: RulePath; label: string; customLabel: string; idPrefix: string }) {
  const { control } = useRuleForm();
  const { field } = useController({ control, name });
  const value = typeof field.value === "string" ? field.value : "";
  const isCustom = value.startsWith(CUSTOM_PREFIX);
  const answers = useAnswerPaths();
  const known = (FIELD_PATHS as readonly string[]).includes(value) || answers.some((a) => a.path === value);
  const id = fieldId(idPrefix, name);
  const customId = `${id}-custom`;
  const error = useFieldError(name);

  return (
    <div className="space-y-1.5">
      <RowField label={label} htmlFor={id} error={isCustom ? undefined : error}>
        <Select
          id={id}
          ref={field.ref}
          name={field.name}
          value={isCustom ? CUSTOM : value}
          onBlur={field.onBlur}
          onChange={(e) => field.onChange(e.target.value === CUSTOM ? CUSTOM_PREFIX : e.target.value)}
          disabled={field.disabled}
          aria-invalid={!isCustom && !!error}
          aria-describedby={describedBy(id, isCustom ? undefined : error)}
        >
          <option value="">Choose a field…</option>
          {!known && !isCustom && value && <option value={value}>{value}</option>}
          {FIELD_PATHS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
          <option value={CUSTOM}>Custom field (lead.customFields.…)</option>
          {answers.length > 0 && (
            <optgroup label="Earlier rules' answers">
              {answers.map((a) => (
                <option key={a.path} value={a.path}>
                  {a.label} ({a.path})
                </option>
              ))}
            </optgroup>
          )}
        </Select>
      </RowField>
      {isCustom && (
        <RowField label={customLabel} htmlFor={customId} error={error}>
          <Input
            id={customId}
            autoComplete="off"
            spellCheck={false}
            placeholder="region"
            value={value.slice(CUSTOM_PREFIX.length)}
            onChange={(e) => field.onChange(CUSTOM_PREFIX + e.target.value.trim())}
            onBlur={field.onBlur}
            aria-invalid={!!error}
            aria-describedby={describedBy(customId, error)}
          />
        </RowField>
      )}
    </div>
  );
}
