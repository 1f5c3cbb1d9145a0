import { sql } from "@/lib/db";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuleAction } from "@/app/(admin)/rules/actions";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { GuardedHttpClient } from "@/lib/delivery/transport/http-client";
import { createLead } from "@/lib/leads/mutations";
import { getSigningKeys, rotateSigningKey } from "@/lib/signing/organization-keys";
import { rotateRuleSecret } from "@/lib/signing/rule-secrets";
import type { FieldMapping } from "@/lib/domain/rule/request";
import { emptyRuleInput, type RuleInput } from "@/lib/rules/form/rule";
import { allowLoopbackDestinations } from "../helpers/loopback-client";
import { createTestOrg, useTestDatabase } from "../helpers/db";
import { startReceiver, type Received } from "../helpers/receiver";
import { signInAs } from "../helpers/session";

// Issue 9, item 11: every verification snippet the README shows accepts every delivery Leadhooks
// can send (each body format, each signature scheme, one key or two during a rotation, the
// organization's key or a rule's own secret) and rejects a tampered body or a wrong key. The
// snippets are read from README.md (fenced blocks after `<!-- verify-snippet: NAME -->`), so
// changing the docs changes what is tested.

const prisma = useTestDatabase();
const client = new GuardedHttpClient({ policy: { allowedNetworks: ["127.0.0.0/8"], allowInsecure: true } });
const repo = path.resolve(".");

// ---------------------------------------------------------------------------------------------
// The snippets

interface Snippet {
  name: string;
  lang: "js" | "python";
  scheme: "STANDARD" | "HMAC_HEX";
  code: string;
  fn: string;
}

const EXPECTED_SNIPPETS = ["standardwebhooks-js", "standard-js", "standard-python", "hex-js", "hex-python"];

function readmeSnippets(): Snippet[] {
  const readme = readFileSync(path.join(repo, "README.md"), "utf8");
  return [...readme.matchAll(/<!-- verify-snippet: ([\w-]+) -->\n```(js|python)\n([\s\S]*?)\n```/g)].map(([, name, lang, code]) => {
    const fn = (lang === "js" ? /^function (\w+)\(/m : /^def (\w+)\(/m).exec(code!)?.[1];
    if (!fn) throw new Error(`README snippet ${name} defines no top-level function`);
    return { name: name!, lang: lang as Snippet["lang"], scheme: name!.startsWith("hex") ? "HMAC_HEX" : "STANDARD", code: code!, fn };
  });
}

interface Check {
  body: Buffer;
  headers: Record<string, string>;
  secret: string;
}

/** Runs a snippet's function over every check, in Node or Python as written; true = accepted. */
async function runSnippet(snippet: Snippet, checks: Check[]): Promise<boolean[]> {
  // Under node_modules, so the snippet's own imports (standardwebhooks) resolve as in a receiver's project.
  const dir = path.join(repo, "node_modules", ".cache", "leadhooks-readme-snippets");
  mkdirSync(dir, { recursive: true });
  if (snippet.lang === "js") {
    const file = path.join(dir, `${snippet.name}-${process.pid}-${Date.now()}.mjs`);
    writeFileSync(file, `${snippet.code}\nexport { ${snippet.fn} as verify };\n`);
    try {
      const { verify } = (await import(file)) as { verify: (body: Buffer, headers: Record<string, string>, secret: string) => boolean };
      return checks.map((c) => verify(c.body, c.headers, c.secret));
    } finally {
      rmSync(file, { force: true });
    }
  }
  const file = path.join(dir, `${snippet.name}-${process.pid}.py`);
  writeFileSync(
    file,
    `${snippet.code}\n\nimport json as _json, sys as _sys\n_out = [${snippet.fn}(base64.b64decode(c["body"]), c["headers"], c["secret"]) for c in _json.load(_sys.stdin)]\nprint(_json.dumps(_out))\n`,
  );
  const input = JSON.stringify(checks.map((c) => ({ body: c.body.toString("base64"), headers: c.headers, secret: c.secret })));
  const res = spawnSync("python3", [file], { input, encoding: "utf8", timeout: 60_000 });
  rmSync(file, { force: true });
  if (res.status !== 0) throw new Error(`python3 ${snippet.name} failed (${res.status ?? res.error?.message}): ${res.stderr}`);
  return JSON.parse(res.stdout) as boolean[];
}

// ---------------------------------------------------------------------------------------------
// Real deliveries

interface Delivered {
  label: string;
  scheme: Snippet["scheme"];
  received: Received;
  /** Every key the delivery is signed with; each must verify on its own. */
  secrets: string[];
}

const map = (target: string, value: string): FieldMapping => ({ target, source: "field", value, defaultValue: "", trim: false, digitsOnly: false, case: "none", dateFormat: "" });

const FORMATS: [string, Partial<RuleInput>][] = [
  ["JSON", {}],
  ["form", { payloadFormat: "FORM", mappingMode: "custom", fieldMappings: [map("first_name", "lead.firstName"), map("email", "lead.email")] }],
  ["XML", { payloadFormat: "XML", payloadTemplate: "<lead><name>{{ lead.firstName | xml_escape }}</name><email>{{ lead.email | xml_escape }}</email></lead>" }],
  ["template text", { payloadFormat: "TEMPLATE", payloadTemplate: "{{ lead.firstName }} | {{ lead.email }} | ✓ done" }],
  ["GET, no body", { method: "GET", mappingMode: "custom", fieldMappings: [map("email", "lead.email")] }],
];

let org: Awaited<ReturnType<typeof createTestOrg>>;
let rx: Awaited<ReturnType<typeof startReceiver>>;
const delivered: Delivered[] = [];

async function deliverLead(firstName: string): Promise<Received[]> {
  const before = rx.received.length;
  await createLead(await sql(), org.org.id, { email: `${firstName.toLowerCase()}@example.test`, firstName });
  await dispatchBatch({ prisma: prisma(), client });
  return rx.received.slice(before);
}

allowLoopbackDestinations(); // the form checks destinations: the receivers are on loopback
beforeAll(async () => {
  org = await createTestOrg(prisma(), "Snippet Co");
  await prisma().organization.update({ where: { id: org.org.id }, data: { webhooksEnabled: true } });
  rx = await startReceiver();
  await signInAs(prisma(), org.admin.id);
  const rules: { id: string; label: string; scheme: Snippet["scheme"] }[] = [];
  for (const scheme of ["STANDARD", "HMAC_HEX"] as const) {
    for (const [format, values] of FORMATS) {
      const label = `${format}, ${scheme}`;
      const res = await createRuleAction({ ...emptyRuleInput(), title: label, url: `${rx.url}/${rules.length}`, signatureScheme: scheme, ...values } as RuleInput);
      if (!res.ok) throw new Error(`create ${label} failed: ${res.error} ${JSON.stringify(res.fieldErrors)}`);
      rules.push({ id: res.data.id, label, scheme });
    }
  }
  const byPath = (got: Received[], i: number) => {
    const r = got.find((g) => g.path.split("?")[0] === `/${i}`);
    if (!r) throw new Error(`rule ${rules[i]!.label} delivered nothing: ${got.map((g) => g.path).join(", ")}`);
    return r;
  };

  // 1. One key: the organization's.
  const first = await getSigningKeys(prisma(), org.org.id);
  let got = await deliverLead("Ada");
  rules.forEach((rule, i) => delivered.push({ label: `${rule.label}, organization key`, scheme: rule.scheme, received: byPath(got, i), secrets: [first.current.secret] }));

  // 2. The organization's key rotated: the new and the previous key both sign.
  const second = await rotateSigningKey(prisma(), org.org.id);
  got = await deliverLead("Béla");
  rules.forEach((rule, i) => delivered.push({ label: `${rule.label}, during a key rotation`, scheme: rule.scheme, received: byPath(got, i), secrets: [second, first.current.secret] }));

  // 3. Each rule's own secret (as the API gives), the organization's key still signing beside it.
  const own = new Map<string, string>();
  for (const rule of rules) own.set(rule.id, (await rotateRuleSecret(prisma(), org.org.id, rule.id)).secret);
  got = await deliverLead("Chloé");
  rules.forEach((rule, i) => delivered.push({ label: `${rule.label}, rule's own secret`, scheme: rule.scheme, received: byPath(got, i), secrets: [own.get(rule.id)!, second] }));
}, 120_000);

afterAll(async () => {
  await rx?.close();
  await client.destroy();
});

const headersOf = (r: Received) => Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v ?? "")]));

describe("the README's signature verification snippets", () => {
  it("are the ones this test knows", () => {
    expect(readmeSnippets().map((s) => s.name)).toEqual(EXPECTED_SNIPPETS);
  });

  it("were given deliveries of every format, signed with two keys where a rotation runs", () => {
    expect(delivered).toHaveLength(FORMATS.length * 2 * 3);
    const get = delivered.find((d) => d.label.startsWith("GET"))!;
    expect(get.received.method).toBe("GET");
    expect(get.received.body).toBe("");
    expect(delivered.find((d) => d.label === "XML, STANDARD, organization key")!.received.headers["content-type"]).toBe("application/xml");
    expect(delivered.find((d) => d.label === "XML, STANDARD, during a key rotation")!.received.headers["webhook-signature"]).toMatch(/^v1,\S+ v1,\S+$/);
    expect(delivered.find((d) => d.label === "XML, HMAC_HEX, rule's own secret")!.received.headers["x-leadhooks-signature"]).toMatch(/^sha256=[0-9a-f]{64}, ?sha256=[0-9a-f]{64}$/);
  });

  it.each(EXPECTED_SNIPPETS)("%s accepts every delivery with each of its keys, and rejects a tampered body or a wrong key", async (name) => {
    const snippet = readmeSnippets().find((s) => s.name === name);
    expect(snippet, `README snippet ${name}`).toBeDefined();
    const cases = delivered.filter((d) => d.scheme === snippet!.scheme);
    const checks: { expect: boolean; what: string; check: Check }[] = [];
    for (const d of cases) {
      const body = Buffer.from(d.received.body, "utf8");
      const headers = headersOf(d.received);
      for (const [n, secret] of d.secrets.entries()) checks.push({ expect: true, what: `${d.label} (key ${n + 1} of ${d.secrets.length})`, check: { body, headers, secret } });
      checks.push({ expect: false, what: `${d.label}, body changed`, check: { body: Buffer.concat([body, Buffer.from(" ")]), headers, secret: d.secrets[0]! } });
      checks.push({ expect: false, what: `${d.label}, another key`, check: { body, headers, secret: `whsec_${Buffer.alloc(32, 7).toString("base64")}` } });
    }
    const results = await runSnippet(snippet!, checks.map((c) => c.check));
    const wrong = checks.filter((c, i) => results[i] !== c.expect).map((c) => `${c.expect ? "rejected" : "accepted"}: ${c.what}`);
    expect(wrong).toEqual([]);
  });
});
