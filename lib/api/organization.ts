import { z } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { organizationSchema } from "@/lib/orgs/settings-schema";

// The organization an API key belongs to, and its Enable Webhooks switch (Settings → Organization).
// API keys have no roles: any key of the organization may read and change it, as an admin can.

export const organizationResourceSchema = z.object({
  id: z.string(),
  name: z.string(),
  webhooksEnabled: z.boolean().describe("Enable Webhooks: while false, lead events are recorded but no webhook is sent (off on a new install)."),
});

export const organizationPatchSchema = z
  .strictObject({
    name: organizationSchema.shape.name.optional(),
    webhooksEnabled: z.boolean("Use true or false.").optional().describe("Turns every webhook of the organization on (true) or off (false)."),
  })
  .refine((v) => v.name !== undefined || v.webhooksEnabled !== undefined, { message: "Send name, webhooksEnabled or both.", path: ["_body"] });

const select = { id: true, name: true, webhooksEnabled: true } as const;

export function getOrganization(prisma: PrismaClient, organizationId: string) {
  return prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select });
}

export function updateOrganization(prisma: PrismaClient, organizationId: string, input: z.output<typeof organizationPatchSchema>) {
  return prisma.organization.update({ where: { id: organizationId }, data: { name: input.name, webhooksEnabled: input.webhooksEnabled }, select });
}

export const WEBHOOKS_OFF_WARNING =
  "Enable Webhooks is off for this organization, so lead events are recorded but sent to no webhook. Turn it on in Settings → Organization or with PATCH /api/v1/organization {\"webhooksEnabled\": true}.";

/** What lead answers add, so an empty webhooks list is never a mystery. */
export const webhooksNoticeShape = {
  webhooksEnabled: z.boolean().describe("The organization's Enable Webhooks switch when the answer was made. While it is off, no event is sent to any webhook."),
  warning: z.string().optional().describe("Present when something the client should know happened, e.g. webhooks are off so this lead's events went to no webhook."),
};

export function webhooksNotice(webhooksEnabled: boolean): { webhooksEnabled: boolean; warning?: string } {
  return webhooksEnabled ? { webhooksEnabled } : { webhooksEnabled, warning: WEBHOOKS_OFF_WARNING };
}

/** The notice for the switch as it is now. */
export async function currentWebhooksNotice(prisma: PrismaClient, organizationId: string) {
  return webhooksNotice((await getOrganization(prisma, organizationId)).webhooksEnabled);
}
