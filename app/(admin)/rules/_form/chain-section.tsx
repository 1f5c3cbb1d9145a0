"use client";

import { Checkbox } from "@/components/ui/checkbox";
import { fieldId } from "@/components/ui/form-fields";
import type { ChainChoice } from "@/lib/rules/chain-choices";
import { SelectField, useRuleForm } from "./fields";
import { RuleFormSection } from "./tabs";

/** On the Response tab: the rule that gets the lead when this one fails (and when), and the one that gets it after a success. */
export function RuleFormChainSection({ idPrefix, rules }: { idPrefix: string; rules: readonly ChainChoice[] }) {
  const { register } = useRuleForm();
  const options = [{ value: "", label: "None" }, ...rules.map((r) => ({ value: r.id, label: r.enabled ? r.title : `${r.title} (disabled)` }))];
  return (
    <RuleFormSection
      id={`${idPrefix}-chain-heading`}
      title="Fallback and linked rules"
      description="Pass the lead on to another rule of this organization: a new delivery of the same event, sent as that rule sends (its own trigger and conditions are not checked). A disabled rule gets nothing. Rules must never lead back to this one."
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField name="fallbackRuleId" label="Fallback rule" idPrefix={idPrefix} options={options} hint="Gets the lead when this rule's delivery fails for good (after its last retry)." />
        <SelectField name="linkedRuleId" label="Linked rule" idPrefix={idPrefix} options={options} hint="Gets the lead after this rule's delivery succeeded; its templates can read this rule's answers." />
      </div>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-700">The fallback also gets the lead when</legend>
        <Checkbox id={fieldId(idPrefix, "fallbackOn-capSkipped")} value="capSkipped" label="A cap skips it" hint="Only for caps set to skip (Request tab, Delivery controls)." {...register("fallbackOn")} />
        <Checkbox
          id={fieldId(idPrefix, "fallbackOn-outsideWindow")}
          value="outsideWindow"
          label="The sending window is closed"
          hint="The lead goes to the fallback at once instead of waiting for the window to open."
          {...register("fallbackOn")}
        />
      </fieldset>
    </RuleFormSection>
  );
}
