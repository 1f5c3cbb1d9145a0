"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { applyResult } from "@/components/ui/form-errors";
import { describedBy, Field, Input, Select } from "@/components/ui/field";
import { organizationSchema, type OrganizationInput } from "@/lib/orgs/settings-schema";
import { updateOrganizationAction } from "./actions";

export function OrganizationForm({ name, webhooksEnabled, canEdit }: { name: string; webhooksEnabled: boolean; canEdit: boolean }) {
  // defaultValue on the controls too: react-hook-form fills them only after hydration, and the
  // server-rendered form should already show the saved values.
  const { register, handleSubmit, setError, formState } = useForm<OrganizationInput>({
    resolver: zodResolver(organizationSchema),
    defaultValues: { name, webhooksEnabled: webhooksEnabled ? "yes" : "no" },
  });
  const { errors, isSubmitting } = formState;

  const onSubmit = handleSubmit(async (values) => {
    const res = await updateOrganizationAction(values);
    if (applyResult(res, setError, ["name", "webhooksEnabled"])) toast.success("Settings saved");
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Card
        title="Organization"
        description="Webhooks are only sent while they are enabled here, whatever each rule says."
        footer={
          canEdit ? (
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting ? "Saving…" : "Save"}
            </Button>
          ) : undefined
        }
      >
        <fieldset disabled={!canEdit} className="grid gap-4 sm:grid-cols-2">
          <Field label="Organization name" htmlFor="org-name" error={errors.name?.message}>
            <Input id="org-name" defaultValue={name} aria-invalid={!!errors.name} aria-describedby={describedBy("org-name", errors.name?.message)} {...register("name")} />
          </Field>
          <Field
            label="Enable Webhooks"
            htmlFor="org-webhooks"
            hint="While No, no rule sends webhooks; each rule keeps its own Enabled setting."
            error={errors.webhooksEnabled?.message}
          >
            <Select id="org-webhooks" defaultValue={webhooksEnabled ? "yes" : "no"} aria-describedby={describedBy("org-webhooks", errors.webhooksEnabled?.message, true)} {...register("webhooksEnabled")}>
              <option value="yes">Yes</option>
              <option value="no">No</option>
            </Select>
          </Field>
        </fieldset>
      </Card>
    </form>
  );
}
