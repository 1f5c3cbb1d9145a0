// `npm run bench:rules`: how fast the Webhook Rules list and its Excel export are with 10,000
// rules in one organization, on PostgreSQL.
//
// Where it runs: with BENCH_POSTGRES_URL or TEST_POSTGRES_URL (a server URL) it creates a fresh
// database there and drops it afterwards; otherwise, with DATABASE_URL=postgres://…, it seeds a
// throwaway organization in that database and deletes it afterwards; with neither, it starts a
// throwaway local PostgreSQL cluster (scripts/pg-cluster.mjs) and removes it at the end.
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import pg from "pg";
import { openDatabase, type Database } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { EVENT_TYPES } from "@/lib/domain/event-types";
import { newId } from "@/lib/core/ids";
import { createOrganizationWithAdmin } from "@/lib/orgs/create-organization";
import { writeRulesWorkbook } from "@/lib/rules/export";
import { listRules, type RuleListParams } from "@/lib/rules/list";
import { createScratchDatabase, startPostgres } from "./pg-cluster.mjs";

const RULES = Number(process.env.BENCH_RULES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const LIST_GOAL_MS = 300;
const EXPORT_GOAL_MS = 2000;

// A small seeded PRNG so every run benchmarks the same data.
let seed = 42;
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

const TITLE_WORDS = ["Intake", "CRM", "Zapier", "Billing", "Marketing", "Referral", "Slack", "Case", "Signed", "Retainer", "Follow-up", "Call center", "Spanish", "After hours", "Partner", "Audit"];
const TITLE_SUFFIXES = ["sync", "alert", "handoff", "export", "notify", "push", "mirror", "feed"];
const HOSTS = ["hooks.zapier.com", "hook.us1.make.com", "api.hubspot.com", "crm.example.com", "intake.example-law.com", "hooks.slack.com", "webhook.site", "n8n.example.org", "api.clio.example", "partners.example.net"];

async function targetUrl(): Promise<{ url: string; cleanup: () => Promise<void>; where: string }> {
  const server = process.env.BENCH_POSTGRES_URL || process.env.TEST_POSTGRES_URL;
  if (server) {
    const { name, url } = await createScratchDatabase(server, "bench_rules");
    return {
      url,
      where: `fresh database ${name} on ${new URL(url).host}`,
      cleanup: async () => {
        const c = new pg.Client({ connectionString: server });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const url = process.env.DATABASE_URL ?? "";
  if (/^postgres(ql)?:\/\//.test(url)) return { url, where: `a throwaway organization in DATABASE_URL (${new URL(url).host})`, cleanup: async () => {} };
  // Nothing configured: a throwaway local cluster, as bench:delivery does.
  const cluster = await startPostgres();
  process.on("exit", cluster.stop);
  const local = new URL(cluster.url);
  return { url: cluster.url, where: `a throwaway PostgreSQL cluster on ${local.host}`, cleanup: async () => cluster.stop() };
}

async function seedRules(prisma: PrismaClient, organizationId: string): Promise<void> {
  const refs = await prisma.referenceItem.findMany({ where: { organizationId }, select: { id: true, kind: true, parentId: true } });
  const of = (kind: string) => refs.filter((r) => r.kind === kind);
  const statuses = of("LEAD_STATUS");
  const caseTypes = of("CASE_TYPE");
  const start = Date.now() - 400 * 24 * 3600 * 1000;
  const BATCH = 1000;
  for (let offset = 0; offset < RULES; offset += BATCH) {
    const rules = [];
    const links = [];
    for (let i = offset; i < Math.min(offset + BATCH, RULES); i++) {
      const event = pick(EVENT_TYPES);
      const id = newId("rule");
      const narrowed = event.creationRules && rand() < 0.6;
      const status = narrowed && rand() < 0.6 ? pick(statuses) : undefined;
      const substatuses = status ? refs.filter((r) => r.parentId === status.id) : [];
      const created = new Date(start + rand() * 395 * 24 * 3600 * 1000);
      rules.push({
        id,
        organizationId,
        title: `${pick(TITLE_WORDS)} ${pick(TITLE_SUFFIXES)} ${i + 1}`,
        enabled: rand() < 0.8,
        events: [event.name],
        url: `https://${pick(HOSTS)}/hooks/${Math.floor(rand() * 1e7)}/${randomBytes(6).toString("hex")}`,
        statusId: status?.id,
        substatusId: substatuses.length > 0 && rand() < 0.5 ? pick(substatuses).id : undefined,
        officeId: narrowed && rand() < 0.3 ? pick(of("OFFICE")).id : undefined,
        opportunitySourceId: narrowed && rand() < 0.2 ? pick(of("OPPORTUNITY_SOURCE")).id : undefined,
        marketingSourceId: narrowed && rand() < 0.2 ? pick(of("MARKETING_SOURCE")).id : undefined,
        requiresCaseTrackerCode: narrowed && rand() < 0.15,
        createdAt: created,
        updatedAt: new Date(created.getTime() + rand() * 5 * 24 * 3600 * 1000),
      });
      if (narrowed && rand() < 0.5) {
        const chosen = new Set([pick(caseTypes).id, pick(caseTypes).id]);
        for (const caseTypeId of chosen) links.push({ ruleId: id, caseTypeId });
      }
    }
    await prisma.webhookRule.createMany({ data: rules });
    await prisma.ruleCaseType.createMany({ data: links });
  }
}

async function timeIt(fn: () => Promise<unknown>, runs: number): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 2; i++) await fn(); // warm-up: connection pool, query plans
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, p95: times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)]! };
}

async function exportToBuffer(prisma: PrismaClient, organizationId: string): Promise<{ bytes: number; rows: number }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => out.on("end", resolve));
  const rows = await writeRulesWorkbook(prisma, organizationId, { q: "", sort: "title", dir: "asc" }, out);
  await ended;
  return { bytes: Buffer.concat(chunks).length, rows };
}

const fmt = (ms: number) => `${ms.toFixed(1).padStart(7)} ms`;

async function main() {
  const target = await targetUrl();
  let database: Database | undefined;
  let organizationId: string | undefined;
  try {
    database = await openDatabase(target.url, "bench");
    const prisma = database.prisma;
    console.log(`bench:rules on PostgreSQL, ${target.where}`);
    const t0 = performance.now();
    const { organization } = await createOrganizationWithAdmin(prisma, { organizationName: "Bench Rules Org", email: `bench-${randomBytes(4).toString("hex")}@bench.test`, password: "password123" });
    organizationId = organization.id;
    await seedRules(prisma, organizationId);
    await prisma.$executeRawUnsafe('ANALYZE "WebhookRule"');
    console.log(`seeded ${RULES} rules in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

    const cases: [string, Partial<RuleListParams>][] = [
      ["default: title asc, page 1", {}],
      ["updated desc, page 50", { sort: "updated", dir: "desc", page: 50 }],
      ["filter 'zapier', title asc", { q: "zapier" }],
      ["filter 'status changed' (trigger label), created desc, page 2", { q: "status changed", sort: "created", dir: "desc", page: 2 }],
      ["filter 'hooks', url asc, page 10, 50 rows", { q: "hooks", sort: "url", page: 10, size: 50 }],
      ["status asc, last page (deep offset)", { sort: "status", page: Math.ceil(RULES / 25) }],
      ["trigger desc, 100 rows", { sort: "trigger", dir: "desc", size: 100 }],
    ];
    console.log(`listRules (median / p95 of ${RUNS} runs, goal < ${LIST_GOAL_MS} ms)`);
    let ok = true;
    for (const [name, params] of cases) {
      let total = 0;
      const { median, p95 } = await timeIt(async () => (total = (await listRules(prisma, organizationId!, params)).total), RUNS);
      const pass = median < LIST_GOAL_MS;
      ok &&= pass;
      console.log(`  ${pass ? "PASS" : "FAIL"} ${fmt(median)} / ${fmt(p95)}  ${name} (${total} matching)`);
    }

    const heapBefore = process.memoryUsage().heapUsed;
    let result = { bytes: 0, rows: 0 };
    const exp = await timeIt(async () => (result = await exportToBuffer(prisma, organizationId!)), 3);
    const pass = exp.median < EXPORT_GOAL_MS;
    ok &&= pass;
    console.log(`\nexport of all rules to .xlsx (median of 3 runs, goal < ${EXPORT_GOAL_MS} ms)`);
    console.log(`  ${pass ? "PASS" : "FAIL"} ${fmt(exp.median)}  ${result.rows} rows, ${(result.bytes / 1024).toFixed(0)} KiB, heap +${((process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024).toFixed(1)} MiB`);
    console.log(ok ? "\nall goals met" : "\nsome goals missed");
    process.exitCode = ok ? 0 : 1;
  } finally {
    if (database && organizationId && !process.env.BENCH_POSTGRES_URL && !process.env.TEST_POSTGRES_URL) {
      await database.prisma.webhookRule.deleteMany({ where: { organizationId } });
      await database.prisma.organization.delete({ where: { id: organizationId } });
    }
    await database?.close();
    await target.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
