import { readJson, withApiKey } from "@/lib/api/http";
import { webhooksNotice } from "@/lib/api/organization";
import { addNote } from "@/lib/leads/mutations";
import { noteSchema } from "@/lib/leads/schema";
import { commitEvents } from "@/lib/outbox/commit";

export const dynamic = "force-dynamic";

/** POST /api/v1/leads/{id}/notes: adds a note and fires lead.note_added. */
export const POST = withApiKey<{ id: string }>(async (req, { organizationId, prisma }, { id }) => {
  const input = await readJson(req, noteSchema);
  const { note, webhooksEnabled } = await commitEvents(() => addNote(prisma, organizationId, id, input));
  const answer = { id: note.id, leadId: id, body: note.body, author: note.author, createdAt: note.createdAt.toISOString(), ...webhooksNotice(webhooksEnabled) };
  return Response.json(answer, { status: 201 });
});
