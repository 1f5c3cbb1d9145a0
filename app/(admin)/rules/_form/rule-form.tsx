"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Lock } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { FormProvider, useForm } from "react-hook-form";
import { toast } from "sonner";
import { Button, buttonClass } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { setServerErrors } from "@/components/ui/form-errors";
import { FormError } from "@/components/ui/form-fields";
import type { ReferenceLists } from "@/lib/reference/queries";
import type { SecretField } from "@/lib/rules/form/credentials";
import { RULE_FIELDS, ruleSchema, type RuleFormValues, type RuleInput, type RuleValues } from "@/lib/rules/form/rule";
import { createRuleAction, updateRuleAction } from "../actions";
import { RuleFormAuthTab, type LastTest } from "./auth-tab";
import { firstErrorPath, type RulePath } from "./fields";
import { RuleFormRequestTab } from "./request-tab";
import { RuleFormResponseTab } from "./response-tab";
import type { ChainChoice } from "@/lib/rules/chain-choices";
import { RuleFormRuleTab } from "./rule-tab";
import { TABS, tabOf, type TabId } from "./tab-list";
import { RuleFormTabPanel, RuleFormTabs } from "./tabs";

const ID_PREFIX = "rule-form";

/** The form path of a server error key ("auth.password", "caseTypeIds.0"), if it is one. */
function asPath(key: string): RulePath | undefined {
  const root = key.split(".")[0];
  if (!RULE_FIELDS.some((f) => f === root)) return undefined;
  // caseTypeIds is one control: its items' errors show on it.
  return (root === "caseTypeIds" ? root : key) as RulePath;
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
  /** The authentication secrets the saved rule holds: shown as set, never sent to the browser. */
  storedSecrets?: SecretField[];
  /** The saved rule's last Test Connection, if any. */
  lastTest?: LastTest | null;
  /** The organization's other rules, offered as fallback and linked rules. */
  chainRules: readonly ChainChoice[];
}

export function RuleForm({ ruleId, defaultValues, references, allowInsecureUrls, readOnly = false, storedSecrets = [], lastTest: savedTest = null, chainRules }: RuleFormProps) {
  const router = useRouter();
  const schema = useMemo(() => ruleSchema({ allowInsecureUrls }), [allowInsecureUrls]);
  const form = useForm<RuleInput, unknown, RuleValues>({ resolver: zodResolver(schema), defaultValues, shouldFocusError: false });
  const { handleSubmit, setError, setFocus, formState } = form;
  const [activeTab, setActiveTab] = useState<TabId>("rule");
  const [formError, setFormError] = useState<string | null>(null);
  const [lastTest, setLastTest] = useState<LastTest | null>(savedTest);
  // Values waiting for "Save anyway" while the rule has not passed Test Connection.
  const [unconfirmed, setUnconfirmed] = useState<RuleValues | null>(null);
  const [saving, setSaving] = useState(false);

  // Errors may sit on a tab that is not shown: open the first such tab and focus the field.
  // getFieldState reads the form's current errors (formState is this render's snapshot, older
  // than a validation or setError that just ran).
  function revealFirstError() {
    const path = firstErrorPath((field) => form.getFieldState(field).error);
    if (!path) return;
    setActiveTab(tabOf(path));
    setTimeout(() => setFocus(path as RulePath), 0);
  }

  function applyFieldErrors(fieldErrors: Record<string, string[]>): string[] {
    const { unplaced: unmapped } = setServerErrors(fieldErrors, setError, asPath);
    revealFirstError();
    return unmapped;
  }

  async function save(values: RuleValues) {
    setFormError(null);
    setSaving(true);
    try {
      // The server parses these again with the same schema (parsed output is valid input).
      const res = ruleId ? await updateRuleAction({ ruleId, values }) : await createRuleAction(values, lastTest?.receipt ? { ...lastTest, receipt: lastTest.receipt } : undefined);
      if (!res.ok) {
        const unmapped = applyFieldErrors(res.fieldErrors ?? {});
        const message = unmapped.length ? unmapped.join(" ") : res.error;
        setFormError(message);
        toast.error(message);
        return;
      }
      toast.success(ruleId ? "Webhook rule saved" : "Webhook rule created");
      router.push("/rules");
    } finally {
      setSaving(false);
      setUnconfirmed(null);
    }
  }

  const onSubmit = handleSubmit(
    async (values) => {
      // A rule that never passed Test Connection may well fail every delivery: ask first.
      if (!lastTest?.ok) return setUnconfirmed(values);
      await save(values);
    },
    () => revealFirstError(),
  );

  const tabs = TABS.map((t) => ({ id: t.id, label: t.label, hasError: t.fields.some((f) => formState.errors[f]) }));
  const busy = formState.isSubmitting || saving;

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
              <RuleFormRuleTab idPrefix={ID_PREFIX} references={references} allowInsecureUrls={allowInsecureUrls} initialEvents={defaultValues.events} />
            </RuleFormTabPanel>
            <RuleFormTabPanel idPrefix={ID_PREFIX} id="auth" active={activeTab === "auth"}>
              <RuleFormAuthTab
                idPrefix={ID_PREFIX}
                storedSecrets={storedSecrets}
                savedType={defaultValues.auth.type}
                test={{ idPrefix: ID_PREFIX, ruleId, readOnly, lastTest, onTested: setLastTest, onFieldErrors: applyFieldErrors, onInvalid: revealFirstError }}
              />
            </RuleFormTabPanel>
            <RuleFormTabPanel idPrefix={ID_PREFIX} id="request" active={activeTab === "request"}>
              <RuleFormRequestTab idPrefix={ID_PREFIX} active={activeTab === "request"} />
            </RuleFormTabPanel>
            <RuleFormTabPanel idPrefix={ID_PREFIX} id="response" active={activeTab === "response"}>
              <RuleFormResponseTab idPrefix={ID_PREFIX} chainRules={chainRules} />
            </RuleFormTabPanel>
          </fieldset>
        </div>
        <FormError message={formError} />
        <footer className="flex justify-end gap-2 rounded-b-lg border-t border-slate-200 bg-slate-50 px-5 py-3">
          <Link href="/rules" className={buttonClass("secondary")}>
            {readOnly ? "Back to rules" : "Cancel"}
          </Link>
          {!readOnly && (
            <Button type="submit" disabled={busy}>
              {busy ? "Saving…" : "Save"}
            </Button>
          )}
        </footer>
      </form>
      <ConfirmDialog
        open={unconfirmed !== null}
        title="This rule has not passed Test Connection. Save anyway?"
        confirmLabel="Save anyway"
        pendingLabel="Saving…"
        pending={saving}
        tone="primary"
        onConfirm={() => unconfirmed && void save(unconfirmed)}
        onCancel={() => setUnconfirmed(null)}
      >
        <p>
          {lastTest
            ? `Its last test failed${lastTest.title ? `: ${lastTest.title}` : "."}`
            : "It has not been tested with the settings in this form."}{" "}
          Deliveries may fail until the endpoint accepts the request. Use Test Connection on the Authentication tab to check it.
        </p>
      </ConfirmDialog>
    </FormProvider>
  );
}
