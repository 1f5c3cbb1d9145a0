"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { describedBy, Field, Input } from "@/components/ui/field";
import { warningPoints } from "@/lib/notifications/content";
import { autoDisableSchema, type AutoDisableInput } from "@/lib/orgs/settings-schema";
import { applyResult } from "@/components/ui/form-errors";
import { updateAutoDisableAction } from "./auto-disable-actions";

export function AutoDisableForm({ threshold, canEdit }: { threshold: number; canEdit: boolean }) {
  const { register, handleSubmit, setError, formState, watch } = useForm<AutoDisableInput>({
    resolver: zodResolver(autoDisableSchema),
    defaultValues: { autoDisableThreshold: threshold },
  });
  const { errors, isSubmitting } = formState;
  const current = watch("autoDisableThreshold");
  const n = Number.isInteger(current) && current > 0 ? current : threshold;
  const warnings = warningPoints(n).map((p) => p.at);
  const id = "org-auto-disable";
  const error = errors.autoDisableThreshold?.message;

  const onSubmit = handleSubmit(async (values) => {
    const res = await updateAutoDisableAction(values);
    if (applyResult(res, setError, ["autoDisableThreshold"])) toast.success("Settings saved");
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Card
        title="Delivery health"
        description="A rule whose deliveries keep failing is disabled automatically; admins are warned by email and in Notifications before that."
        footer={
          canEdit ? (
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting ? "Saving…" : "Save"}
            </Button>
          ) : undefined
        }
      >
        <fieldset disabled={!canEdit} className="grid gap-4 sm:grid-cols-2">
          <Field
            label="Disable a rule after this many consecutive failed deliveries"
            htmlFor={id}
            error={error}
            hint={warnings.length ? `Admins are warned after ${warnings.join(", ")} failures in a row.` : "No warning comes before the rule is disabled."}
          >
            <Input id={id} type="number" inputMode="numeric" min={1} max={10000} defaultValue={threshold} className="max-w-40" aria-invalid={!!error} aria-describedby={describedBy(id, error, true)} {...register("autoDisableThreshold", { valueAsNumber: true })} />
          </Field>
        </fieldset>
      </Card>
    </form>
  );
}
