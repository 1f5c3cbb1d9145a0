import { describe, expect, it } from "vitest";
import { readProjectDatamodel, type Datamodel } from "../helpers/prisma-dmmf";
import { diffSchema, snapshotDatabase, type QueryFn } from "../helpers/schema-drift";
import { useTestDatabase } from "../helpers/db";

// Migrations are hand-written (Prisma's schema engine cannot run here), so this test is the guard
// that prisma/schema.prisma and prisma/migrations describe the same database.

const prisma = useTestDatabase();
const query: QueryFn = (sql) => prisma().$queryRawUnsafe<Record<string, unknown>[]>(sql);

function clone(dm: Datamodel): Datamodel {
  return structuredClone(dm);
}

describe("schema.prisma ↔ migrated database", () => {
  it("agree on every table, column, type, nullability, default, enum, key and foreign key", async () => {
    const dm = readProjectDatamodel();
    const snapshot = await snapshotDatabase(query);
    // Sanity: the snapshot really read the catalog (a query that returned nothing would "agree").
    expect(Object.keys(snapshot.tables)).toContain("WebhookRule");
    expect(snapshot.enums.Role).toEqual(["ADMIN", "VIEWER"]);
    expect(snapshot.foreignKeys.length).toBeGreaterThan(5);
    const differences = diffSchema(dm, snapshot);
    expect(differences, `schema.prisma and prisma/migrations disagree:\n  ${differences.join("\n  ")}\n`).toEqual([]);
  });

  it("reports a schema that has moved ahead of the migrations, one line per difference", async () => {
    const dm = clone(readProjectDatamodel());
    const rule = dm.models.find((m) => m.name === "WebhookRule")!;
    const title = rule.fields.find((f) => f.name === "title")!;
    rule.fields.push({ ...title, name: "description", isRequired: false });
    rule.fields.find((f) => f.name === "timeoutMs")!.type = "BigInt";
    rule.fields.find((f) => f.name === "disabledReason")!.isRequired = true;
    dm.enums.find((e) => e.name === "AuthType")!.values.push({ name: "MTLS", dbName: null });
    const org = dm.models.find((m) => m.name === "Organization")!;
    org.fields.find((f) => f.name === "slug")!.isUnique = false;
    const user = dm.models.find((m) => m.name === "User")!;
    user.fields.find((f) => f.name === "organization")!.relationOnDelete = "Restrict";
    dm.models = dm.models.filter((m) => m.name !== "RuleCaseType");

    const differences = diffSchema(dm, await snapshotDatabase(query));
    expect(differences).toEqual(
      expect.arrayContaining([
        "WebhookRule.description: column missing in the database",
        "WebhookRule.timeoutMs: column type is integer, schema expects bigint",
        "WebhookRule.disabledReason: column is nullable, schema expects NOT NULL",
        "enum AuthType: database has [NONE, BASIC, DIGEST, OAUTH2, BEARER, API_KEY], schema has [NONE, BASIC, DIGEST, OAUTH2, BEARER, API_KEY, MTLS]",
        "Organization: unique index on (slug) in the database but not in the schema",
        "User(organizationId): foreign key ON DELETE Cascade, schema expects Restrict",
        "table RuleCaseType: in the database but not in the schema",
      ]),
    );
  });

  // Runs last: it changes this file's database.
  it("reports a database changed behind the schema's back", async () => {
    await prisma().$executeRawUnsafe(`ALTER TABLE "SigningKey" DROP COLUMN "expiresAt"`);
    await prisma().$executeRawUnsafe(`ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL`);
    await prisma().$executeRawUnsafe(`ALTER TABLE "Organization" ADD COLUMN "legacy" TEXT`);
    await prisma().$executeRawUnsafe(`ALTER TYPE "Role" ADD VALUE 'OWNER'`);
    await prisma().$executeRawUnsafe(`CREATE TABLE "Scratch" ("id" TEXT PRIMARY KEY)`);
    await prisma().$executeRawUnsafe(`ALTER TABLE "RuleCaseType" DROP CONSTRAINT "RuleCaseType_caseTypeId_fkey"`);

    const differences = diffSchema(readProjectDatamodel(), await snapshotDatabase(query));
    expect(differences.sort()).toEqual(
      [
        "SigningKey.expiresAt: column missing in the database",
        "User.name: column is NOT NULL, schema expects nullable",
        "Organization.legacy: column in the database but not in model Organization",
        "enum Role: database has [ADMIN, VIEWER, OWNER], schema has [ADMIN, VIEWER]",
        "table Scratch: in the database but not in the schema",
        "RuleCaseType(caseTypeId): foreign key to ReferenceItem missing (relation RuleCaseType.caseType)",
      ].sort(),
    );
  });
});
