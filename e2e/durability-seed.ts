// Run by e2e/durability.spec.ts in its own process (PGlite allows one process per data directory,
// and the spec's server opens it next): migrates DATABASE_URL, creates an organization with
// webhooks on, one rule per path in RULE_PATHS (a comma-separated list) pointing at RECEIVER_URL,
// and an API key. Prints {"key": …, "rules": {ruleId: path}} on its last line.
import { createApiKey } from "@/lib/api/keys";
import { newId } from "@/lib/core/ids";
import { openDatabase } from "@/lib/db";
import { createOrganizationWithAdmin } from "@/lib/orgs/create-organization";

const receiverUrl = process.env.RECEIVER_URL ?? "";
const paths = (process.env.RULE_PATHS ?? "").split(",").filter(Boolean);
if (!receiverUrl || !paths.length) throw new Error("e2e/durability-seed.ts needs RECEIVER_URL and RULE_PATHS");

const database = await openDatabase(process.env.DATABASE_URL ?? "", "e2e-durability-seed");
try {
  const { prisma } = database;
  const { organization } = await createOrganizationWithAdmin(prisma, { organizationName: "Durability", email: `durability-${newId("usr")}@example.test`, password: "password123" });
  await prisma.organization.update({ where: { id: organization.id }, data: { webhooksEnabled: true } });
  const rules: Record<string, string> = {};
  for (const [i, p] of paths.entries()) {
    const id = newId("rule");
    await prisma.webhookRule.create({ data: { id, organizationId: organization.id, title: `Receiver ${i + 1}`, events: ["lead.created"], url: `${receiverUrl}${p}` } });
    rules[id] = p;
  }
  const { key } = await createApiKey(prisma, organization.id, "durability");
  console.log(JSON.stringify({ key, rules }));
} finally {
  await database.close();
}
