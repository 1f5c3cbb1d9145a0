// A phase's own data: a fresh database (a scratch database on PostgreSQL, a new PGlite directory)
// holding one organization with webhooks on, its rules and an API key.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApiKey } from "@/lib/api/keys";
import { openDatabase } from "@/lib/db";
import { newId } from "@/lib/core/ids";
import { WAKE_CHANNEL } from "@/lib/delivery/wake-signal";
import { createOrganizationWithAdmin } from "@/lib/orgs/create-organization";
import pg from "pg";
import { createScratchDatabase } from "../pg-cluster.mjs";
import { atExit } from "./app";

export interface RuleSpec {
  /** The path on the receiver; also the rule's key in the ledger. */
  path: string;
  timeoutMs?: number;
}

/** A new database: on the PostgreSQL server at `serverUrl`, or a PGlite directory when it is null. */
export async function freshDatabase(serverUrl: string | null, label: string): Promise<{ url: string; name: string }> {
  if (serverUrl) return createScratchDatabase(serverUrl, `bench_${label}`);
  const dir = mkdtempSync(path.join(tmpdir(), `leadhooks-bench-${label}-`));
  atExit(() => rmSync(dir, { recursive: true, force: true }));
  return { url: `pglite:${dir}`, name: dir };
}

/** Creates organizations with `rules` pointing at `receiverUrl`; returns one API key per organization. */
export async function seed(databaseUrl: string, receiverUrl: string, orgs: RuleSpec[][]): Promise<string[]> {
  const db = await openDatabase(databaseUrl, "bench");
  try {
    const keys: string[] = [];
    for (const rules of orgs) {
      const { organization } = await createOrganizationWithAdmin(db.prisma, { organizationName: "Bench", email: `bench-${newId("usr")}@example.test`, password: "password123" });
      await db.prisma.organization.update({ where: { id: organization.id }, data: { webhooksEnabled: true } });
      await db.prisma.webhookRule.createMany({
        data: rules.map((r, i) => ({ id: newId("rule"), organizationId: organization.id, title: `Client ${i + 1}`, events: ["lead.created"], url: `${receiverUrl}${r.path}`, timeoutMs: r.timeoutMs ?? 10_000 })),
      });
      keys.push((await createApiKey(db.prisma, organization.id, "bench")).key);
    }
    return keys;
  } finally {
    await db.close();
  }
}

/**
 * Holds the rules whose URL ends in one of `paths`: every claim passes them over (the circuit
 * breaker's pause) until `release()`, which also wakes the workers.
 */
export async function holdRules(databaseUrl: string, paths: string[]): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const suffixes = paths.map((p) => `%${p}`);
  await client.query(`UPDATE "WebhookRule" SET "pausedUntil" = now() + interval '1 hour', "pauseReason" = 'benchmark: building a backlog' WHERE url LIKE ANY($1)`, [suffixes]);
  return {
    release: async () => {
      try {
        await client.query(`UPDATE "WebhookRule" SET "pausedUntil" = NULL, "pauseReason" = NULL WHERE url LIKE ANY($1)`, [suffixes]);
        await client.query(`NOTIFY ${WAKE_CHANNEL}`);
      } finally {
        await client.end();
      }
    },
  };
}
