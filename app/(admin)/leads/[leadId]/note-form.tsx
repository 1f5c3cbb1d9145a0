"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { describedBy, Field, Textarea } from "@/components/ui/field";
import { onlyFields, setServerErrors } from "@/components/ui/form-errors";
import { noteSchema } from "@/lib/leads/schema";
import { addNoteAction } from "../actions";
import { queuedText } from "../queued-text";

// The same body rule as the server action and the REST API.
const noteFormSchema = noteSchema.pick({ body: true });
type NoteFormValues = z.input<typeof noteFormSchema>;

export function NoteForm({ leadId }: { leadId: string }) {
  const router = useRouter();
  const { register, handleSubmit, setError, reset, formState } = useForm<NoteFormValues, unknown, z.output<typeof noteFormSchema>>({
    resolver: zodResolver(noteFormSchema),
    defaultValues: { body: "" },
  });
  const { errors, isSubmitting } = formState;
  const error = errors.body?.message;

  const onSubmit = handleSubmit(async ({ body }) => {
    const res = await addNoteAction({ leadId, body });
    if (!res.ok) {
      const { placed } = setServerErrors(res.fieldErrors, setError, onlyFields<NoteFormValues>(["body"]));
      if (!placed) toast.error(res.error);
      return;
    }
    toast.success(`Note added — ${queuedText(res.data.deliveries)}`);
    reset({ body: "" });
    router.refresh();
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3">
      <Field label="Note" htmlFor="lead-note" error={error}>
        <Textarea id="lead-note" rows={3} className="font-sans" aria-invalid={!!error} aria-describedby={describedBy("lead-note", error)} {...register("body")} />
      </Field>
      <div className="flex justify-end">
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? "Adding…" : "Add note"}
        </Button>
      </div>
    </form>
  );
}
