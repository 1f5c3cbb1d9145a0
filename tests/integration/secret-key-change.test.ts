import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { newId } from "@/lib/core/ids";
import { openDatabase, type Database } from "@/lib/db";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { decryptAuthConfig, encryptAuthConfig } from "@/lib/delivery/transport/auth/credentials";
import { createLead } from "@/lib/leads/mutations";
import { decryptSecret, encryptSecret } from "@/lib/security/crypto";
import { getSigningKeys, rotateSigningKey } from "@/lib/signing/organization-keys";
import { rotateRuleSecret, setRuleSecret } from "@/lib/signing/rule-secrets";
import { changeSecretKey, KeyChangeError, recoverLostSecretKey } from "@/lib/signing/secret-key-change";
import { checkSecretKey } from "@/lib/signing/secret-key-check";
import { cli } from "../helpers/app-processes";
import { verifiesStandard } from "../helpers/cross-process";
import { createWebhookOrg, databaseForAProcess, freshDatabase, TEST_DATABASE } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// Changing APP_SECRET_KEY: `npm run cli -- secret-key rotate` re-encrypts every stored secret
// with a new key; `secret-key recover` gets a deployment whose key was lost working again with a
// new one. Before, neither existed: a lost key left every process refusing to start.

const KEY = () => process.env.APP_SECRET_KEY!; // this process's key: the one the test data is written with
const NEW_KEY = "the-new-app-secret-key-for-this-deployment-0123456789";
const LOST_KEY = "a-key-nobody-has-any-more-since-the-old-server-died-42";
const loopback = useLoopbackClient();
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const readsWith = (stored: string | null, key: string) => {
  try {
    decryptSecret(stored!, key);
    return true;
  } catch {
    return false;
  }
};

/** An organization with what APP_SECRET_KEY encrypts: a rotated signing key, a rule with Basic credentials, a rule with its own rotated secret. */
async function seed(db: Database, receiverUrl = "https://hooks.example.test", name?: string) {
  const { org } = await createWebhookOrg(db.prisma, { name });
  await rotateSigningKey(db.prisma, org.id); // the old key signs on for 24 h: two readable keys
  const base = { organizationId: org.id, events: ["lead.created"] };
  const withAuth = await db.prisma.webhookRule.create({
    data: { id: newId("rule"), ...base, title: "Basic auth", url: `${receiverUrl}/auth`, authType: "BASIC", authConfigEncrypted: encryptAuthConfig({ type: "BASIC", username: "u", password: "p4ss" }) },
  });
  const ownSecret = await db.prisma.webhookRule.create({ data: { id: newId("rule"), ...base, title: "Own secret", url: `${receiverUrl}/own` } });
  await setRuleSecret(db.prisma, org.id, ownSecret.id, "whsec_" + Buffer.alloc(32, 7).toString("base64"));
  await rotateRuleSecret(db.prisma, org.id, ownSecret.id);
  const plain = await db.prisma.webhookRule.create({ data: { id: newId("rule"), ...base, title: "Plain", url: `${receiverUrl}/plain` } });
  return { org, withAuth, ownSecret, plain };
}

async function stored(db: Database, orgId: string) {
  const keys = await db.prisma.signingKey.findMany({ where: { organizationId: orgId } });
  const rules = await db.prisma.webhookRule.findMany({ where: { organizationId: orgId }, orderBy: { title: "asc" } });
  return { keys, rules };
}

describe("secret-key rotate: every stored secret from the old key to the new", () => {
  it("re-encrypts signing keys, credentials and rule secrets; a second run changes nothing; credentials neither key reads are reported and left", async () => {
    const db = await freshDatabase();
    cleanups.push(() => db.close());
    const { org, withAuth } = await seed(db);
    // Left from a key lost long ago: a rule's credentials, and a rotated-out signing key that signs no more.
    const stale = await db.prisma.webhookRule.create({
      data: { id: newId("rule"), organizationId: org.id, title: "Stale", url: "https://hooks.example.test/s", events: ["lead.created"], authType: "BEARER", authConfigEncrypted: encryptSecret("{}", LOST_KEY) },
    });
    await db.prisma.signingKey.create({ data: { id: newId("key"), organizationId: org.id, secretEncrypted: encryptSecret("whsec_x", LOST_KEY), expiresAt: new Date(Date.now() - 1000) } });

    const first = await changeSecretKey(db.prisma, KEY(), NEW_KEY);
    expect(first.reencrypted).toEqual({ signingKeys: 2, credentials: 1, ruleSecrets: 2 });
    expect(first.unreadable).toEqual({ credentials: [{ id: stale.id, title: "Stale", organization: org.name }], ruleSecrets: [] });

    const after = await stored(db, org.id);
    const readable = [...after.keys.map((k) => k.secretEncrypted), ...after.rules.flatMap((r) => [r.authConfigEncrypted, r.signingSecretEncrypted, r.previousSecretEncrypted])].filter(
      (v) => v && !readsWith(v, LOST_KEY),
    );
    expect(readable).toHaveLength(5);
    expect(readable.map((v) => [readsWith(v, NEW_KEY), readsWith(v, KEY())])).toEqual(readable.map(() => [true, false]));
    expect(decryptAuthConfig("BASIC", after.rules.find((r) => r.id === withAuth.id)!.authConfigEncrypted, NEW_KEY)).toEqual({ type: "BASIC", username: "u", password: "p4ss" });

    const second = await changeSecretKey(db.prisma, KEY(), NEW_KEY);
    expect([second.reencrypted, second.alreadyNew]).toEqual([{ signingKeys: 0, credentials: 0, ruleSecrets: 0 }, 5]);
    expect(await stored(db, org.id)).toEqual(after);
  });

  it("with an old key that is not the deployment's, changes nothing and names the signing keys it cannot read", async () => {
    const db = await freshDatabase();
    cleanups.push(() => db.close());
    const { org } = await seed(db, undefined, "Acme\n    Evil: signing key key_FAKE");
    const before = await stored(db, org.id);
    const err = await changeSecretKey(db.prisma, LOST_KEY, NEW_KEY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyChangeError);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect([...(err as KeyChangeError).unreadable].sort(byId)).toEqual(before.keys.map((k) => ({ organization: org.name, id: k.id })).sort(byId));
    expect((err as Error).message).toMatch(/^OLD_APP_SECRET_KEY does not read these signing keys in use, so it is not the key this database's secrets were encrypted with; nothing was changed/);
    expect((err as Error).message).toContain("    Acme\\u000a    Evil: signing key key_FAKE: signing key key_"); // the name on one line
    expect(await stored(db, org.id)).toEqual(before);
  });

  it("a rule's previous secret past its grace period signs no more: unreadable, it neither stops a rotation nor is reported", async () => {
    const db = await freshDatabase();
    cleanups.push(() => db.close());
    const { org, ownSecret } = await seed(db);
    await db.prisma.webhookRule.update({ where: { id: ownSecret.id }, data: { previousSecretEncrypted: encryptSecret("whsec_old", LOST_KEY), previousSecretExpiresAt: new Date(Date.now() - 1000) } });
    const report = await changeSecretKey(db.prisma, KEY(), NEW_KEY);
    expect(report.unreadable).toEqual({ credentials: [], ruleSecrets: [] });
    expect(await recoverLostSecretKey(db.prisma, NEW_KEY, { apply: false })).toMatchObject({ newSigningKeys: [], ruleSecretsCleared: [], previousSecretsCleared: [], credentialsToEnter: [] });
    await expect(checkSecretKey(db.sql, NEW_KEY)).resolves.toBeUndefined();
    expect((await stored(db, org.id)).rules.find((r) => r.id === ownSecret.id)!.previousSecretEncrypted).not.toBeNull(); // left as it was
  });
});

describe("secret-key recover: the key the secrets were encrypted with is lost", () => {
  it("a dry run changes nothing; then every organization signs with a new key, unreadable rule secrets are cleared, unreadable credentials are listed; deliveries are signed with the new key", async () => {
    const rx = await startReceiver();
    cleanups.push(() => rx.close());
    const db = await freshDatabase();
    cleanups.push(() => db.close());
    // The deployment ran with LOST_KEY: everything of `lost` was written with it. It is gone, and
    // this process runs with KEY, as `fine`'s secrets were written.
    const lost = await seed(db, rx.url);
    await changeSecretKey(db.prisma, KEY(), LOST_KEY);
    await expect(checkSecretKey(db.sql, KEY())).rejects.toThrow(/APP_SECRET_KEY: does not match/); // no process starts
    const fine = await seed(db, rx.url);
    // Nor with some secrets readable: every delivery of `lost` would fail.
    await expect(checkSecretKey(db.sql, KEY())).rejects.toThrow(
      "APP_SECRET_KEY: reads some of this database's signing secrets but not 1 organization's signing keys and 1 rule's own signing secret (written with another key, by a process that ran with it), whose deliveries would all fail.",
    );
    const before = await stored(db, lost.org.id);

    const dry = await recoverLostSecretKey(db.prisma, KEY(), { apply: false });
    const refs = (r: { id: string; title: string }) => ({ id: r.id, title: r.title, organization: lost.org.name });
    expect(dry).toEqual({ newSigningKeys: [lost.org.name], ruleSecretsCleared: [refs(lost.ownSecret)], previousSecretsCleared: [], credentialsToEnter: [refs(lost.withAuth)], applied: false });
    expect(await stored(db, lost.org.id)).toEqual(before);

    const done = await recoverLostSecretKey(db.prisma, KEY(), { apply: true });
    expect(done).toEqual({ ...dry, applied: true });
    await expect(checkSecretKey(db.sql, KEY())).resolves.toBeUndefined(); // every process starts again
    const keys = await getSigningKeys(db.prisma, lost.org.id);
    expect(keys.previous).toEqual([]); // the unreadable ones stopped signing
    const rules = (await stored(db, lost.org.id)).rules;
    const own = rules.find((r) => r.id === lost.ownSecret.id)!;
    expect([own.signingSecretEncrypted, own.previousSecretEncrypted]).toEqual([null, null]);
    const auth = rules.find((r) => r.id === lost.withAuth.id)!;
    expect(auth.authConfigEncrypted).toBe(before.rules.find((r) => r.id === lost.withAuth.id)!.authConfigEncrypted); // left for the old key, should it turn up
    // `fine` was not touched.
    expect((await getSigningKeys(db.prisma, fine.org.id)).previous).toHaveLength(1);
    expect(await recoverLostSecretKey(db.prisma, KEY(), { apply: true })).toMatchObject({ newSigningKeys: [], ruleSecretsCleared: [], previousSecretsCleared: [], credentialsToEnter: [refs(lost.withAuth)] });

    // A lead now: the plain rule and the one whose secret was cleared deliver, signed with the
    // organization's new key; the rule whose credentials are unreadable fails, saying why.
    const { lead } = await createLead(db.sql, lost.org.id, { email: "after-recovery@x.test" });
    await dispatchBatch({ prisma: db.prisma, sql: db.sql, client: loopback });
    const got = rx.received.filter((r) => r.path === "/plain" || r.path === "/own");
    expect(got.map((r) => r.path).sort()).toEqual(["/own", "/plain"]);
    expect(got.map((r) => verifiesStandard(r, keys.current.secret))).toEqual([true, true]);
    const failed = await db.prisma.delivery.findFirstOrThrow({ where: { ruleId: lost.withAuth.id, event: { leadId: lead.id } } });
    expect(failed).toMatchObject({ state: "FAILED" });
    expect(failed.lastError).toMatch(/enter the credentials again on the Authentication tab/);
  });
});

describe("secret-key recover: a rule's previous secret, still signing, that the key cannot read", () => {
  it("is listed by the dry run and stops signing with --yes; the current secret signs on, and every process starts again", async () => {
    const db = await freshDatabase();
    cleanups.push(() => db.close());
    const { org, ownSecret } = await seed(db);
    await db.prisma.webhookRule.update({ where: { id: ownSecret.id }, data: { previousSecretEncrypted: encryptSecret("whsec_old", LOST_KEY), previousSecretExpiresAt: new Date(Date.now() + 3600_000) } });
    await expect(checkSecretKey(db.sql, KEY())).rejects.toThrow("not 1 rule's own signing secret");
    const ref = { id: ownSecret.id, title: "Own secret", organization: org.name };
    const dry = await recoverLostSecretKey(db.prisma, KEY(), { apply: false });
    expect(dry).toEqual({ newSigningKeys: [], ruleSecretsCleared: [], previousSecretsCleared: [ref], credentialsToEnter: [], applied: false });
    expect(await recoverLostSecretKey(db.prisma, KEY(), { apply: true })).toEqual({ ...dry, applied: true });
    const rule = await db.prisma.webhookRule.findUniqueOrThrow({ where: { id: ownSecret.id } });
    expect([readsWith(rule.signingSecretEncrypted, KEY()), rule.previousSecretEncrypted, rule.previousSecretExpiresAt]).toEqual([true, null, null]);
    await expect(checkSecretKey(db.sql, KEY())).resolves.toBeUndefined();
  });
});

describe("npm run cli -- secret-key", () => {
  it("rotate needs OLD_APP_SECRET_KEY, then re-encrypts and says to start every process with the new key; the database then passes the start-up check with it", async () => {
    const { url, remove } = await databaseForAProcess("rekey");
    cleanups.push(remove);
    const db = await openDatabase(url, "test");
    await seed(db, undefined, "Acme\n    Injected: a line of its own");
    await db.close();

    // Without APP_SECRET_KEY the local defaults would pick (or make) ./data/local-secrets.json's key.
    const noKey = await cli(["secret-key", "rotate"], { DATABASE_URL: url, OLD_APP_SECRET_KEY: KEY() });
    expect(noKey).toMatchObject({ status: 2, output: expect.stringContaining("secret-key rotate needs APP_SECRET_KEY (the key to use from now on) set in the environment") });
    const missing = await cli(["secret-key", "rotate"], { DATABASE_URL: url, APP_SECRET_KEY: NEW_KEY });
    expect(missing).toMatchObject({ status: 2, output: expect.stringContaining("secret-key rotate needs OLD_APP_SECRET_KEY") });
    if (TEST_DATABASE === "postgres") {
      // A Leadhooks process still connected (as the web process's pool names itself): refused, unless --force.
      // A worker whose DATABASE_URL names its connections otherwise is seen too.
      const web = new pg.Client({ connectionString: url, application_name: "leadhooks server" });
      const renamed = new pg.Client({ connectionString: `${url}?application_name=crm-sync` });
      await Promise.all([web.connect(), renamed.connect()]);
      try {
        const refused = await cli(["secret-key", "rotate"], { DATABASE_URL: url, APP_SECRET_KEY: NEW_KEY, OLD_APP_SECRET_KEY: KEY() });
        expect(refused).toMatchObject({ status: 1, output: expect.stringContaining("Other connections to this database (crm-sync ×1, leadhooks server ×1): stop every Leadhooks process (web and workers) first") });
      } finally {
        await Promise.all([web.end(), renamed.end()]);
      }
    }
    const rotated = await cli(["secret-key", "rotate"], { DATABASE_URL: url, APP_SECRET_KEY: NEW_KEY, OLD_APP_SECRET_KEY: KEY() });
    expect(rotated.status, rotated.output).toBe(0);
    expect(rotated.output).toContain("Re-encrypted with the new APP_SECRET_KEY: 2 organization signing keys, 1 rules' credentials, 2 rule signing secrets.");
    expect(rotated.output).not.toContain(NEW_KEY);
    const recovered = await cli(["secret-key", "recover"], { DATABASE_URL: url, APP_SECRET_KEY: NEW_KEY });
    expect(recovered).toMatchObject({ status: 0, output: expect.stringContaining("Every stored secret is readable with this APP_SECRET_KEY: nothing to do.") });
    // As if NEW_KEY were lost: the dry run names the organization on one line, its newline shown, not obeyed.
    const dry = await cli(["secret-key", "recover"], { DATABASE_URL: url, APP_SECRET_KEY: LOST_KEY });
    expect(dry.status, dry.output).toBe(0);
    expect(dry.output).toContain("Would give these organizations a new signing key (their receivers must be given it: Settings → Signing key):\n    Acme\\u000a    Injected: a line of its own\n");
    expect(dry.output).not.toMatch(/^ {4}Injected/m);
    expect(dry.output).toContain("Nothing was changed. Run `npm run cli -- secret-key recover --yes` to do it.");

    const after = await openDatabase(url, "test");
    try {
      await expect(checkSecretKey(after.sql, NEW_KEY)).resolves.toBeUndefined();
      await expect(checkSecretKey(after.sql, KEY())).rejects.toThrow(/does not match/);
    } finally {
      await after.close();
    }
  }, 180_000);
});

