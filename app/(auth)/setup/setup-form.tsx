"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { applyResult } from "@/components/ui/form-errors";
import { setupSchema, type SetupInput } from "@/lib/orgs/setup-schema";
import { setupAction } from "./actions";

export function SetupForm() {
  const router = useRouter();
  const { register, handleSubmit, setError, formState } = useForm<SetupInput>({ resolver: zodResolver(setupSchema) });
  const { errors, isSubmitting } = formState;

  const onSubmit = handleSubmit(async (values) => {
    const res = await setupAction(values);
    if (!applyResult(res, setError, ["organizationName", "name", "email", "password"])) return;
    await signIn("credentials", { email: values.email, password: values.password, redirect: false });
    toast.success("Your organization is ready.");
    router.replace("/dashboard");
    router.refresh();
  });

  return (
    <form onSubmit={onSubmit} className="space-y-5 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200" noValidate>
      <div>
        <h1 className="text-lg font-semibold">Set up Leadhooks</h1>
        <p className="mt-1 text-sm text-slate-500">Create your organization and its first administrator.</p>
      </div>
      <Field label="Organization name" htmlFor="organizationName" error={errors.organizationName?.message}>
        <Input id="organizationName" aria-invalid={!!errors.organizationName} {...register("organizationName")} />
      </Field>
      <Field label="Your name" htmlFor="name" error={errors.name?.message}>
        <Input id="name" autoComplete="name" {...register("name")} />
      </Field>
      <Field label="Email" htmlFor="email" error={errors.email?.message}>
        <Input id="email" type="email" autoComplete="email" aria-invalid={!!errors.email} {...register("email")} />
      </Field>
      <Field label="Password" htmlFor="password" hint="At least 8 characters." error={errors.password?.message}>
        <Input id="password" type="password" autoComplete="new-password" aria-invalid={!!errors.password} {...register("password")} />
      </Field>
      <Button type="submit" className="w-full" disabled={isSubmitting}>
        {isSubmitting ? "Creating…" : "Create organization"}
      </Button>
    </form>
  );
}
