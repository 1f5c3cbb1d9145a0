import { describe, expect, it } from "vitest";
import { emptyRuleInput, ruleSchema } from "@/lib/validations/rule";
import type { GuardPolicy, LookupFn } from "@/lib/security/ssrf";
import { destinationErrors, destinationsOf } from "./destinations";

// A URL unchanged since the rule was last saved is judged without a new DNS lookup (a receiver
// briefly down must not make its rule uneditable); what needs no DNS to judge is judged again.

const strict: GuardPolicy = { allowedNetworks: [], allowInsecure: true };
const noDns: LookupFn = async () => {
  throw new Error("no DNS lookup expected for an unchanged URL");
};
const rule = (url: string) => ruleSchema({ allowInsecureUrls: true }).parse({ ...emptyRuleInput(), title: "Saved before", url });

describe("destinationErrors on an unchanged URL", () => {
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
