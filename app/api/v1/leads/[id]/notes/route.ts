import { readJson, withApiKey } from "@/lib/api/http";
import { webhooksNotice } from "@/lib/api/organization";
import { kickDispatcher } from "@/lib/delivery/engine/runtime";
import { addNote } from "@/lib/leads/mutations";
import { noteSchema } from "@/lib/leads/schema";

export const dynamic = "force-dynamic";

/** POST /api/v1/leads/{id}/notes: adds a note and fires lead.note_added. */
export const POST = withApiKey<{ id: string }>(async (req, { organizationId, prisma }, { id }) => {
  const input = await readJson(req, noteSchema);
  const { note, deliveryIds, webhooksEnabled } = await addNote(prisma, organizationId, id, input);
  if (deliveryIds.length) kickDispatcher();
  const answer = { id: note.id, leadId: id, body: note.body, author: note.author, createdAt: note.createdAt.toISOString(), ...webhooksNotice(webhooksEnabled) };
  return Response.json(answer, { status: 201 });
});
