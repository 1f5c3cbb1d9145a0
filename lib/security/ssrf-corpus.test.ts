import { isIP } from "node:net";
import { describe, expect, it } from "vitest";
import { guardedLookup } from "@/lib/delivery/transport/http-client";
import { destinationErrors } from "@/lib/rules/destinations";
import { emptyRuleInput, ruleSchema } from "@/lib/rules/form/rule";
import { ALLOWED_NETWORKS_CORPUS, CORPUS_DNS, SSRF_CORPUS, type CorpusEntry, type Verdict } from "./ssrf-corpus";
import { BlockedRequestError, checkUrlShape, hostOf, type GuardPolicy, type LookupFn } from "./ssrf";

// The corpus against both checks: the one used at save (the rule schema's URL rules, then the
// destination check the form, the API and Test Connection run) and the one used at send (the
// guarded client's URL check, then the lookup undici connects through). Each entry must get its
// verdict from both; tests/integration/ssrf-corpus.test.ts sends the corpus through the real
// client and the real entry points.

const dns: LookupFn = async (host) => {
  const answers = CORPUS_DNS[host];
  if (!answers) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
  return answers.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 }));
};

/** The save-time verdict, with the problem when there is one. */
async function atSave(url: string, policy: GuardPolicy): Promise<{ verdict: Verdict; why: string }> {
  const parsed = ruleSchema({ allowInsecureUrls: policy.allowInsecure }).safeParse({ ...emptyRuleInput(), title: "Corpus", url });
  if (!parsed.success) return { verdict: "block", why: parsed.error.issues.map((i) => i.message).join("; ") };
  const errors = await destinationErrors(parsed.data, { policy, lookup: dns });
  return errors.url ? { verdict: "block", why: errors.url.join("; ") } : { verdict: "allow", why: "" };
}

/** The send-time verdict: GuardedHttpClient.send's URL check, then (for a name) the lookup its sockets use. */
async function atSend(url: string, policy: GuardPolicy): Promise<{ verdict: Verdict; why: string; address?: string }> {
  try {
    const host = hostOf(checkUrlShape(url, policy));
    // Node connects to an IP literal without a lookup; a name goes through the pinned lookup.
    if (isIP(host)) return { verdict: "allow", why: "", address: host };
    const address = await new Promise<string>((resolve, reject) =>
      guardedLookup(policy, dns)(host, {}, (err, addr) => (err ? reject(err) : resolve(addr as string))),
    );
    return { verdict: "allow", why: "", address };
  } catch (err) {
    if (err instanceof BlockedRequestError) return { verdict: "block", why: err.message };
    throw err;
  }
}

const strict: GuardPolicy = { allowedNetworks: [], allowInsecure: true };
const withAllowed: GuardPolicy = { allowedNetworks: ALLOWED_NETWORKS_CORPUS.allowedNetworks, allowInsecure: true };

describe("SSRF corpus", () => {
  it("holds at least 60 entries, every one distinct", () => {
    expect(SSRF_CORPUS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(SSRF_CORPUS.map((e) => e.url)).size).toBe(SSRF_CORPUS.length);
  });

  const label = (e: CorpusEntry) => `${e.verdict}s ${e.url} (${e.note})`;

  describe.each([
    ["no allowed networks", strict, SSRF_CORPUS],
    [`ALLOWED_PRIVATE_NETWORKS=${withAllowed.allowedNetworks.join(",")}`, withAllowed, ALLOWED_NETWORKS_CORPUS.entries],
  ] as const)("with %s", (_name, policy, entries) => {
    it.each(entries.map((e) => [label(e), e] as const))("save %s", async (_l, entry) => {
      const result = await atSave(entry.url, policy);
      expect(result.verdict, result.why).toBe(entry.verdict);
      // A refusal says why in a sentence, and never just "invalid".
      if (entry.verdict === "block") expect(result.why).toMatch(/address|URL|loopback/);
    });

    it.each(entries.map((e) => [label(e), e] as const))("send %s", async (_l, entry) => {
      const result = await atSend(entry.url, policy);
      expect(result.verdict, result.why).toBe(entry.verdict);
    });
  });

  it("connects to the address that was judged: the canonical form of the URL's host, or the pinned answer", async () => {
    expect(await atSend("http://0x7f.1/", withAllowed)).toMatchObject({ verdict: "allow", address: "127.0.0.1" });
    expect(await atSend("http://localhost./", withAllowed)).toMatchObject({ verdict: "allow", address: "127.0.0.1" });
    expect(await atSend("https://public6.example.test/", strict)).toMatchObject({ verdict: "allow", address: "2606:2800:220:1:248:1893:25c8:1946" });
  });

  it("names the IPv4 address an IPv6 form carries", async () => {
    expect((await atSend("http://[::169.254.169.254]/latest/meta-data/", strict)).why).toBe(
      "Blocked: ::a9fe:a9fe carries 169.254.169.254 (IPv4-compatible), a link-local (cloud metadata) address",
    );
    expect((await atSave("http://[::10.0.0.1]:8080/x", strict)).why).toMatch(/^::a00:1 carries 10\.0\.0\.1 \(IPv4-compatible\), a private-network address\./);
  });
});
