import { describe, expect, it } from "vitest";
import type { GuardPolicy, LookupFn } from "@/lib/security/ssrf";
import { emptyRuleInput, ruleSchema } from "@/lib/rules/form/rule";
import { destinationErrors, destinationProblem, destinationsOf, fixedHost } from "./destinations";

const policy = { allowedNetworks: ["127.0.0.0/8"], allowInsecure: false };
const answers = (table: Record<string, string[]>): LookupFn => async (host) => {
  const found = table[host];
  if (!found) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
  return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }) as const);
};

describe("fixedHost", () => {
  it("is the URL's host, or null when a template writes the host", () => {
    expect(fixedHost("https://api.example.com/{{ lead.office }}/leads")).toBe("api.example.com");
    expect(fixedHost("https://[::1]:8443/x")).toBe("::1");
    expect(fixedHost("https://{{ lead.customFields.region }}.example.com/x")).toBeNull();
    expect(fixedHost("not a url")).toBeNull();
  });
});

describe("destinationProblem", () => {
  const lookup = answers({ "hooks.example.com": ["93.184.215.14"], "internal.example.com": ["10.0.0.7"], "mixed.example.com": ["93.184.215.14", "192.168.1.2"], "dev.local": ["127.0.0.1"] });

  it("accepts public hosts, allowed networks and templated hosts", async () => {
    expect(await destinationProblem("https://hooks.example.com/x", policy, lookup)).toBeNull();
    expect(await destinationProblem("https://dev.local/x", policy, lookup)).toBeNull();
    expect(await destinationProblem("https://{{ lead.office }}.example.com/x", policy, lookup)).toBeNull();
  });

  it("refuses private, metadata and mixed answers; a host that does not resolve is left to the send-time check", async () => {
    expect(await destinationProblem("https://internal.example.com/x", policy, lookup)).toMatch(/internal\.example\.com resolves to 10\.0\.0\.7, which is a private-network address\. Leadhooks only calls public addresses/);
    expect(await destinationProblem("https://169.254.169.254/latest", policy, lookup)).toMatch(/link-local/);
    expect(await destinationProblem("https://mixed.example.com/x", policy, lookup)).toMatch(/192\.168\.1\.2/);
    expect(await destinationProblem("https://nowhere.example.com/x", policy, lookup)).toBeNull(); // judged when it resolves, at send
  });
});

// A URL unchanged since the rule was last saved is judged without a new DNS lookup (a receiver
// briefly down must not make its rule uneditable); what needs no DNS to judge is judged again.
describe("destinationErrors on an unchanged URL", () => {
  const strict: GuardPolicy = { allowedNetworks: [], allowInsecure: true };
  const noDns: LookupFn = async () => {
    throw new Error("no DNS lookup expected for an unchanged URL");
  };
  const rule = (url: string) => ruleSchema({ allowInsecureUrls: true }).parse({ ...emptyRuleInput(), title: "Saved before", url });

  it.each(["http://127.0.0.1:3000/hook", "http://[::ffff:7f00:1]/hook", "http://localhost:3000/hook", "http://LocalHost./hook", "http://api.localhost/hook"])(
    "judges %s again without DNS",
    async (url) => {
      const values = rule(url);
      const errors = await destinationErrors(values, { before: destinationsOf(values), policy: strict, lookup: noDns });
      expect(errors.url?.[0]).toMatch(/loopback/);
    },
  );

  it("does not look a public name up again", async () => {
    const values = rule("https://hooks.example.com/x");
    expect(await destinationErrors(values, { before: destinationsOf(values), policy: strict, lookup: noDns })).toEqual({});
  });
});
