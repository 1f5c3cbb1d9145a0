"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { FormProvider, useForm } from "react-hook-form";
import { toast } from "sonner";
import { Button, buttonClass } from "@/components/ui/button";
import { setServerErrors } from "@/components/ui/form-errors";
import { FormError } from "@/components/ui/form-fields";
import type { FieldErrors } from "@/lib/auth/action";
import { LEAD_FORM_FIELDS, leadFormSchema, type LeadFormField, type LeadFormOutput, type LeadFormValues } from "@/lib/leads/form-values";
import type { ReferenceLists } from "@/lib/reference/queries";
import { createLeadAction, updateLeadAction } from "./actions";
import { CustomFields, ReferenceFields, TextField } from "./lead-form-fields";
import { queuedText } from "./queued-text";

/** Only the fields the admin changed, so an edit fires events for real changes only. */
function changedFields(values: LeadFormOutput, initial: LeadFormOutput | null): Partial<LeadFormOutput> {
  if (!initial) return values;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (JSON.stringify(value ?? null) !== JSON.stringify(initial[key as keyof LeadFormOutput] ?? null)) out[key] = value;
  }
  return out as Partial<LeadFormOutput>;
}

function formFieldOf(key: string): LeadFormField | undefined {
  const root = key.split(".")[0];
  return LEAD_FORM_FIELDS.find((f) => f === root);
}

export interface LeadFormProps {
  /** Absent for a new lead. */
  leadId?: string;
  defaultValues: LeadFormValues;
  /** The lead's stored custom fields, so unchanged values keep their JSON type. */
  originalCustomFields?: Record<string, unknown>;
  references: ReferenceLists;
}

const NO_CUSTOM_FIELDS: Record<string, unknown> = {};

export function LeadForm({ leadId, defaultValues, originalCustomFields = NO_CUSTOM_FIELDS, references }: LeadFormProps) {
  const router = useRouter();
  const schema = useMemo(() => leadFormSchema(leadId ? "update" : "create", originalCustomFields), [leadId, originalCustomFields]);
  const initial = useMemo(() => {
    if (!leadId) return null;
    const parsed = schema.safeParse(defaultValues);
    return parsed.success ? parsed.data : null;
  }, [leadId, schema, defaultValues]);
  const form = useForm<LeadFormValues, unknown, LeadFormOutput>({ resolver: zodResolver(schema), defaultValues });
  const { handleSubmit, setError, formState } = form;
  const [formError, setFormError] = useState<string | null>(null);
  const backHref = leadId ? `/leads/${encodeURIComponent(leadId)}` : "/leads";

  function showErrors(error: string, fieldErrors: FieldErrors | undefined) {
    const { unplaced: unmapped } = setServerErrors(fieldErrors, setError, formFieldOf, { shouldFocus: true });
    const message = unmapped.length ? unmapped.join(" ") : error;
    setFormError(message);
    toast.error(message);
  }

  const onSubmit = handleSubmit(async (values) => {
    setFormError(null);
    if (!leadId) {
      const res = await createLeadAction(values);
      if (!res.ok) return showErrors(res.error, res.fieldErrors);
      toast.success(`Lead created — ${queuedText(res.data.deliveries)}`);
      router.push(`/leads/${encodeURIComponent(res.data.leadId)}`);
      return;
    }
    const changes = changedFields(values, initial);
    if (Object.keys(changes).length === 0) {
      toast.info("No changes to save");
      router.push(backHref);
      return;
    }
    const res = await updateLeadAction({ leadId, values: changes });
    if (!res.ok) return showErrors(res.error, res.fieldErrors);
    toast.success(`Lead saved — ${queuedText(res.data.deliveries)}`);
    router.push(backHref);
    router.refresh();
  });

  return (
    <FormProvider {...form}>
      <form onSubmit={onSubmit} noValidate aria-label={leadId ? "Edit lead" : "New lead"} className="rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
        <div className="space-y-8 px-5 py-5">
          <fieldset className="space-y-4">
            <legend className="text-sm font-semibold text-slate-900">Contact</legend>
            <div className="grid gap-4 sm:grid-cols-2">
              <TextField name="email" label="Email" type="email" hint="Required unless a phone number is given." />
              <TextField name="phone" label="Phone" type="tel" />
              <TextField name="firstName" label="First name" />
              <TextField name="lastName" label="Last name" />
            </div>
          </fieldset>
          <fieldset className="space-y-4">
            <legend className="text-sm font-semibold text-slate-900">Case</legend>
            <div className="grid gap-4 sm:grid-cols-2">
              <ReferenceFields references={references} />
              <TextField name="caseTrackerCode" label="Case tracker code" />
              <TextField name="score" label="Score" hint="A whole number, e.g. 80." />
            </div>
          </fieldset>
          <CustomFields />
        </div>
        <FormError message={formError} />
        <footer className="flex justify-end gap-2 rounded-b-lg border-t border-slate-200 bg-slate-50 px-5 py-3">
          <Link href={backHref} className={buttonClass("secondary")}>
            Cancel
          </Link>
          <Button type="submit" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? "Saving…" : leadId ? "Save lead" : "Create lead"}
          </Button>
        </footer>
      </form>
    </FormProvider>
  );
}
