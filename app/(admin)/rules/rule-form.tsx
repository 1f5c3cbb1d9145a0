"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Lock } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { FormProvider, useForm, type FieldErrors } from "react-hook-form";
import { toast } from "sonner";
import { Button, buttonClass } from "@/components/ui/button";
import type { ReferenceLists } from "@/lib/reference/queries";
import { RULE_FIELDS, ruleSchema, type RuleField, type RuleFormValues, type RuleInput, type RuleValues } from "@/lib/validations/rule";
import { createRuleAction, updateRuleAction } from "./actions";
import { RuleFormDeliveryTab } from "./rule-form-delivery-tab";
import { RuleFormRuleTab } from "./rule-form-rule-tab";
import { RuleFormTabPanel, RuleFormTabs } from "./rule-form-tabs";

type TabId = "rule" | "delivery";

const TABS: { id: TabId; label: string; fields: readonly RuleField[] }[] = [
  {
    id: "rule",
    label: "Rule",
    fields: ["title", "enabled", "url", "trigger", "statusId", "substatusId", "caseTypeIds", "officeId", "opportunitySourceId", "marketingSourceId", "requiresCaseTrackerCode"],
  },
  { id: "delivery", label: "Delivery", fields: ["timeoutMs", "signatureScheme", "retryKind", "retryDelays", "retryBaseSeconds", "retryMaxAttempts", "retryMaxDelaySeconds", "retryOn4xx"] },
];

const ID_PREFIX = "rule-form";

function tabOf(field: RuleField): TabId {
  return TABS.find((t) => t.fields.includes(field))?.id ?? "rule";
}

/** Form field of a server error key ("caseTypeIds.0" → "caseTypeIds"), if it is one. */
function asField(key: string): RuleField | undefined {
  const root = key.split(".")[0];
  return RULE_FIELDS.find((f) => f === root);
}

function firstErrorField(errors: FieldErrors<RuleInput>): RuleField | undefined {
  return RULE_FIELDS.find((f) => errors[f]);
}

export interface RuleFormProps {
  /** Absent for a new rule. */
  ruleId?: string;
  defaultValues: RuleFormValues;
  references: ReferenceLists;
  /** The server's ALLOW_INSECURE_URLS, so the browser validates URLs as the server will. */
  allowInsecureUrls: boolean;
  /** Viewers see the rule with every field disabled and no Save. */
  readOnly?: boolean;
}

export function RuleForm({ ruleId, defaultValues, references, allowInsecureUrls, readOnly = false }: RuleFormProps) {
  const router = useRouter();
  const schema = useMemo(() => ruleSchema({ allowInsecureUrls }), [allowInsecureUrls]);
  const form = useForm<RuleInput, unknown, RuleValues>({ resolver: zodResolver(schema), defaultValues, shouldFocusError: false });
  const { handleSubmit, setError, setFocus, formState } = form;
  const [activeTab, setActiveTab] = useState<TabId>("rule");
  const [formError, setFormError] = useState<string | null>(null);

  // Errors may sit on a tab that is not shown: open the first such tab and focus the field.
  function revealFirstError(errors: FieldErrors<RuleInput>) {
    const field = firstErrorField(errors);
    if (!field) return;
    setActiveTab(tabOf(field));
    setTimeout(() => setFocus(field), 0);
  }

  const onSubmit = handleSubmit(
    async (values) => {
      setFormError(null);
      // The server parses these again with the same schema (parsed output is valid input).
      const res = ruleId ? await updateRuleAction({ ruleId, values }) : await createRuleAction(values);
      if (!res.ok) {
        const mapped: FieldErrors<RuleInput> = {};
        const unmapped: string[] = [];
        for (const [key, messages] of Object.entries(res.fieldErrors ?? {})) {
          const field = asField(key);
          if (field && messages[0]) {
            setError(field, { type: "server", message: messages[0] });
            mapped[field] = { type: "server", message: messages[0] };
          } else unmapped.push(...messages);
        }
        revealFirstError(mapped);
        const message = unmapped.length ? unmapped.join(" ") : res.error;
        setFormError(message);
        toast.error(message);
        return;
      }
      toast.success(ruleId ? "Webhook rule saved" : "Webhook rule created");
      router.push("/rules");
    },
    (errors) => revealFirstError(errors),
  );

  const tabs = TABS.map((t) => ({ id: t.id, label: t.label, hasError: t.fields.some((f) => formState.errors[f]) }));
  const initialTrigger = defaultValues.trigger;

  return (
    <FormProvider {...form}>
      <form onSubmit={onSubmit} noValidate aria-label={ruleId ? "Edit Webhook Rule" : "Add Webhook Rule"} className="rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
        {readOnly && (
          <p role="note" className="flex items-center gap-2 rounded-t-lg border-b border-amber-200 bg-amber-50 px-5 py-3 text-sm text-amber-800">
            <Lock aria-hidden className="h-4 w-4" />
            You have read-only access. Ask an admin to change this rule.
          </p>
        )}
        <div className="px-5 pt-2">
          <RuleFormTabs tabs={tabs} active={activeTab} onChange={setActiveTab} idPrefix={ID_PREFIX} label="Rule settings" />
          {/* A disabled fieldset disables every control in it at once (the read-only view). */}
          <fieldset disabled={readOnly} className="min-w-0">
            <RuleFormTabPanel idPrefix={ID_PREFIX} id="rule" active={activeTab === "rule"}>
              <RuleFormRuleTab idPrefix={ID_PREFIX} references={references} allowInsecureUrls={allowInsecureUrls} initialTrigger={initialTrigger} />
            </RuleFormTabPanel>
            <RuleFormTabPanel idPrefix={ID_PREFIX} id="delivery" active={activeTab === "delivery"}>
              <RuleFormDeliveryTab idPrefix={ID_PREFIX} />
            </RuleFormTabPanel>
          </fieldset>
        </div>
        {formError && (
          <p role="alert" className="mx-5 mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
            {formError}
          </p>
        )}
        <footer className="flex justify-end gap-2 rounded-b-lg border-t border-slate-200 bg-slate-50 px-5 py-3">
          <Link href="/rules" className={buttonClass("secondary")}>
            {readOnly ? "Back to rules" : "Cancel"}
          </Link>
          {!readOnly && (
            <Button type="submit" disabled={formState.isSubmitting}>
              {formState.isSubmitting ? "Saving…" : "Save"}
            </Button>
          )}
        </footer>
      </form>
    </FormProvider>
  );
}
