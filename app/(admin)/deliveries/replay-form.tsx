"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { History } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { describedBy, Field, Input, Select } from "@/components/ui/field";
import { onlyFields, setServerErrors } from "@/components/ui/form-errors";
import { replayFormSchema, type ReplayFormInput } from "@/lib/delivery/log/replay-form";
import { replayDeliveriesAction } from "./replay-actions";

const REPLAY_FIELDS = onlyFields<ReplayFormInput>(["ruleId", "from", "to", "includeSucceeded"]);
const deliveries = (n: number) => `${n} ${n === 1 ? "delivery" : "deliveries"}`;
/** "YYYY-MM-DDTHH:mm" in UTC, what a datetime-local input holds (the log reads times as UTC). */
const utcInput = (d: Date) => d.toISOString().slice(0, 16);

/**
 * "Replay…": re-sends the deliveries of one rule (or all rules) created in a time window, each with
 * its original request and id. Failed and skipped ones by default; succeeded ones only when asked.
 */
export function ReplayForm({ rules, defaultRuleId }: { rules: { id: string; title: string }[]; defaultRuleId?: string }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const router = useRouter();
  const base = useId();
  const ids = { rule: `${base}-rule`, from: `${base}-from`, to: `${base}-to`, succeeded: `${base}-succeeded` };
  const { register, handleSubmit, reset, setError: setFieldError, formState } = useForm<ReplayFormInput>({ resolver: zodResolver(replayFormSchema) });
  const { errors, isSubmitting } = formState;

  function show() {
    // The window defaults to the last 24 hours, computed when opened so it is never stale.
    const now = new Date();
    reset({ ruleId: defaultRuleId ?? "", from: utcInput(new Date(now.getTime() - 24 * 3600_000)), to: utcInput(now), includeSucceeded: false });
    setError(null);
    setOpen(true);
  }

  const submit = handleSubmit(async (values) => {
    const res = await replayDeliveriesAction(values);
    if (!res.ok) {
      setServerErrors(res.fieldErrors, setFieldError, REPLAY_FIELDS);
      setError(res.error);
      return;
    }
    setOpen(false);
    toast.success(res.data.count ? `${deliveries(res.data.count)} queued for replay` : "Nothing to replay in that time range");
    router.refresh();
  });

  return (
    <>
      <Button variant="secondary" onClick={show}>
        <History aria-hidden className="h-4 w-4" />
        Replay…
      </Button>
      <ConfirmDialog
        open={open}
        title="Replay deliveries"
        confirmLabel="Replay"
        pendingLabel="Queuing…"
        pending={isSubmitting}
        error={error}
        tone="primary"
        onConfirm={() => void submit()}
        onCancel={() => setOpen(false)}
      >
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
          className="space-y-3"
        >
          <p>Deliveries created in the time range are sent again, each with its original request and delivery id. Pending ones are already queued.</p>
          <Field label="Rule" htmlFor={ids.rule} error={errors.ruleId?.message}>
            <Select id={ids.rule} aria-describedby={describedBy(ids.rule, errors.ruleId?.message)} {...register("ruleId")}>
              <option value="">All rules</option>
              {rules.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.title}
                </option>
              ))}
            </Select>
          </Field>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label="From" htmlFor={ids.from} hint="UTC" error={errors.from?.message}>
              <Input id={ids.from} type="datetime-local" aria-invalid={!!errors.from} aria-describedby={describedBy(ids.from, errors.from?.message, true)} {...register("from")} />
            </Field>
            <Field label="To" htmlFor={ids.to} hint="UTC" error={errors.to?.message}>
              <Input id={ids.to} type="datetime-local" aria-invalid={!!errors.to} aria-describedby={describedBy(ids.to, errors.to?.message, true)} {...register("to")} />
            </Field>
          </div>
          <div className="flex items-start gap-2">
            <input id={ids.succeeded} type="checkbox" className="mt-0.5 h-4 w-4 shrink-0 rounded border-slate-300 accent-brand-600" {...register("includeSucceeded")} />
            <label htmlFor={ids.succeeded} className="font-medium text-slate-700">
              Also re-send deliveries that succeeded
            </label>
          </div>
        </form>
      </ConfirmDialog>
    </>
  );
}
