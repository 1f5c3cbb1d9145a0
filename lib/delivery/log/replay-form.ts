import { z } from "zod";
import { createdRange, timeBoundSchema, toUtcDate } from "@/lib/delivery/log/list-params";

// The delivery log's "Replay…" form, shared by the form (zodResolver) and its server action.
// Times are UTC, like the log's own filters.

export const replayFormSchema = z
  .object({
    /** Empty: every rule of the organization. */
    ruleId: z.string().trim().max(100),
    from: z.string().trim().min(1, "Choose where the time range starts.").pipe(timeBoundSchema),
    to: z.string().trim().min(1, "Choose where the time range ends.").pipe(timeBoundSchema),
    includeSucceeded: z.boolean(),
  })
  .superRefine((v, ctx) => {
    const range = replayRange(v.from, v.to);
    if (range && range.from > range.to) ctx.addIssue({ code: "custom", message: "The end must be after the start.", path: ["to"] });
  });
export type ReplayFormInput = z.input<typeof replayFormSchema>;

/** The instants the form's bounds name; "to" includes its whole minute (or day), as the log's filter does. */
export function replayRange(from: string, to: string): { from: Date; to: Date } | null {
  const range = createdRange(from, to);
  if (!range?.gte) return null;
  const end = range.lt ? new Date(range.lt.getTime() - 1) : (range.lte ?? toUtcDate(to));
  if (Number.isNaN(range.gte.getTime()) || Number.isNaN(end.getTime())) return null;
  return { from: range.gte, to: end };
}
