"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { describedBy, Field, Input, Select } from "@/components/ui/field";
import { addUserSchema, type AddUserInput } from "@/lib/orgs/settings-schema";
import { applyResult } from "@/components/ui/form-errors";
import { addUserAction } from "./user-actions";

const EMPTY: AddUserInput = { email: "", name: "", password: "", role: "VIEWER" };

export function AddUserForm() {
  const { register, handleSubmit, setError, reset, formState } = useForm<AddUserInput>({ resolver: zodResolver(addUserSchema), defaultValues: EMPTY });
  const { errors, isSubmitting } = formState;

  const onSubmit = handleSubmit(async (values) => {
    const res = await addUserAction(values);
    if (!applyResult(res, setError, ["email", "name", "password", "role"])) return;
    toast.success(`${res.data.email} added. Share the temporary password with them privately.`);
    reset(EMPTY);
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="add-user-heading" className="space-y-4 border-t border-slate-200 pt-4">
      <h3 id="add-user-heading" className="text-sm font-semibold text-slate-900">
        Add a user
      </h3>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Email" htmlFor="user-email" error={errors.email?.message}>
          <Input id="user-email" type="email" autoComplete="off" aria-invalid={!!errors.email} aria-describedby={describedBy("user-email", errors.email?.message)} {...register("email")} />
        </Field>
        <Field label="Full name" htmlFor="user-name" error={errors.name?.message}>
          <Input id="user-name" autoComplete="off" aria-invalid={!!errors.name} aria-describedby={describedBy("user-name", errors.name?.message)} {...register("name")} />
        </Field>
        <Field label="Temporary password" htmlFor="user-password" hint="At least 8 characters." error={errors.password?.message}>
          <Input
            id="user-password"
            type="password"
            autoComplete="new-password"
            aria-invalid={!!errors.password}
            aria-describedby={describedBy("user-password", errors.password?.message, true)}
            {...register("password")}
          />
        </Field>
        <Field label="Role" htmlFor="user-role" hint="Viewers can see everything but change nothing." error={errors.role?.message}>
          <Select id="user-role" defaultValue={EMPTY.role} aria-describedby={describedBy("user-role", errors.role?.message, true)} {...register("role")}>
            <option value="VIEWER">Viewer</option>
            <option value="ADMIN">Admin</option>
          </Select>
        </Field>
      </div>
      <div className="flex justify-end">
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? "Adding…" : "Add user"}
        </Button>
      </div>
    </form>
  );
}
