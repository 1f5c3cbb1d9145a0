import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db";
import { checkSecretKey } from "@/lib/signing/secret-key-check";
import { rotateSigningKey } from "@/lib/signing/organization-keys";
import { createTestOrg, databaseForAProcess, freshDatabase } from "../helpers/db";
import { runToExit } from "../helpers/start-script";

// Every process of a deployment must use the APP_SECRET_KEY the stored secrets were encrypted
// with. A process started with another one refuses to start, saying so, instead of running with
// secrets it cannot read (a worker would fail every delivery it claimed, blaming the rule's
// credentials).

const OTHER_KEY = "not-the-key-the-database-was-encrypted-with-0123456789";
const MISMATCH = "APP_SECRET_KEY: does not match the key this database's secrets (signing keys, credentials) were encrypted with: use the same APP_SECRET_KEY in every process (web and worker) of this deployment";

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

describe("checkSecretKey", () => {
  it("passes an empty database, passes the key the secrets were encrypted with (after a rotation too), and refuses another", async () => {
    const db = await freshDatabase();
    try {
      await expect(checkSecretKey(db.sql, OTHER_KEY)).resolves.toBeUndefined();
      const { org } = await createTestOrg(db.prisma);
      await expect(checkSecretKey(db.sql, process.env.APP_SECRET_KEY!)).resolves.toBeUndefined();
      await expect(checkSecretKey(db.sql, OTHER_KEY)).rejects.toThrow(MISMATCH);
      await rotateSigningKey(db.prisma, org.id);
      await expect(checkSecretKey(db.sql, process.env.APP_SECRET_KEY!)).resolves.toBeUndefined();
      await expect(checkSecretKey(db.sql, OTHER_KEY)).rejects.toThrow(MISMATCH);
    } finally {
      await db.close();
    }
  });
});

describe("a process started with another APP_SECRET_KEY than the database's secrets", () => {
  it("npm run worker and npm start exit 1 saying APP_SECRET_KEY does not match, before delivering or building", async () => {
    const { url, remove } = await databaseForAProcess("key");
    cleanups.push(remove);
    // An organization (and its signing key) encrypted with this process's APP_SECRET_KEY, as the web process would.
    const seed = await openDatabase(url, "test");
    await createTestOrg(seed.prisma);
    await seed.close();

    const env = { DATABASE_URL: url, APP_SECRET_KEY: OTHER_KEY };
    // One after the other: on PGlite each needs the data directory alone. A worker that starts, or
    // a start that goes on to build, is stopped there.
    for (const script of ["worker", "start"] as const) {
      const ended = await runToExit(script, env, 120_000, /Delivery worker \d+ started|fake next/);
      expect(ended.status, `${script}:\n${ended.output}`).toBe(1);
      expect(ended.output).toContain(`Invalid environment configuration:\n  ${MISMATCH}`);
      expect(ended.output, script).not.toMatch(/^\s+at /m);
    }
  }, 300_000); // two PGlite data directories opened in turn, and a third to seed: tens of seconds on a busy machine
});
