"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authedAction, type ActionResult, type FieldErrors } from "@/lib/auth/action";
import { addNote, createLead, updateLead } from "@/lib/leads/mutations";
import { createLeadSchema, noteSchema, updateLeadSchema } from "@/lib/leads/schema";
import { commitEvents } from "@/lib/outbox/commit";

// Lead changes made in the admin fire the same events (and deliveries) as the REST API: the
// mutations record them in one transaction, and commitEvents wakes the dispatcher afterwards so
// the caller does not wait for receivers.

const leadId = z.string().min(1).max(100);

/** How many deliveries an action queued, for the toast. */
export interface QueuedResult {
  leadId: string;
  deliveries: number;
}

function afterChange(id: string) {
  revalidatePath("/leads");
  revalidatePath(`/leads/${id}`);
}

const createLeadRun = authedAction({ schema: createLeadSchema, role: "ADMIN" }, async (values, ctx): Promise<QueuedResult> => {
  const { lead, deliveryIds } = await commitEvents(() => createLead(ctx.sql, ctx.organizationId, values));
  afterChange(lead.id);
  return { leadId: lead.id, deliveries: deliveryIds.length };
});

export async function createLeadAction(input: z.input<typeof createLeadSchema>): Promise<ActionResult<QueuedResult>> {
  return createLeadRun(input);
}

const updateLeadRun = authedAction(
  { schema: z.object({ leadId, values: updateLeadSchema }), role: "ADMIN" },
  async ({ leadId, values }, ctx): Promise<QueuedResult & { changed: number }> => {
    const { lead, deliveryIds, changes } = await commitEvents(() => updateLead(ctx.prisma, ctx.organizationId, leadId, values));
    afterChange(lead.id);
    return { leadId: lead.id, deliveries: deliveryIds.length, changed: Object.keys(changes).length };
  },
);

export async function updateLeadAction(input: { leadId: string; values: z.input<typeof updateLeadSchema> }): Promise<ActionResult<QueuedResult & { changed: number }>> {
  const res = await updateLeadRun(input);
  // The form knows its fields as "email", not "values.email".
  return res.ok || !res.fieldErrors ? res : { ...res, fieldErrors: unnest(res.fieldErrors, "values.") };
}

const addNoteRun = authedAction(
  { schema: noteSchema.pick({ body: true }).extend({ leadId }), role: "ADMIN" },
  async ({ leadId, body }, ctx): Promise<QueuedResult & { noteId: string }> => {
    const { note, deliveryIds } = await commitEvents(() => addNote(ctx.prisma, ctx.organizationId, leadId, { body, author: ctx.user.name || ctx.user.email }));
    afterChange(leadId);
    return { leadId, noteId: note.id, deliveries: deliveryIds.length };
  },
);

export async function addNoteAction(input: { leadId: string; body: string }): Promise<ActionResult<QueuedResult & { noteId: string }>> {
  return addNoteRun(input);
}

function unnest(errors: FieldErrors, prefix: string): FieldErrors {
  return Object.fromEntries(Object.entries(errors).map(([key, messages]) => [key.startsWith(prefix) ? key.slice(prefix.length) : key, messages]));
}
