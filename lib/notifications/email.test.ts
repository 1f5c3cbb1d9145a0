import { describe, expect, it } from "vitest";
import { composeEmail } from "./email";

const report = {
  kind: "ERROR_REPORT" as const,
  ruleId: "rule_1",
  title: 'Rule "<b>CRM</b>": 2 failed deliveries (HTTP 500)',
  body: '2 delivery attempts of rule "<b>CRM</b>" failed.',
  data: {
    ruleTitle: "<b>CRM</b>",
    count: 2,
    since: null,
    first: "2026-01-05T14:00:00.000Z",
    last: "2026-01-05T14:01:00.000Z",
    statuses: [{ statusCode: 500, errorClass: null, count: 2 }],
    recent: [
      { deliveryId: "dlv_b", at: "2026-01-05T14:01:00.000Z", statusCode: 500, errorClass: null, message: "<script>x</script>" },
      { deliveryId: "dlv_a", at: "2026-01-05T14:00:00.000Z", statusCode: 500, errorClass: null, message: null },
    ],
  },
};

describe("composeEmail", () => {
  it("links each failed delivery and the rule under the app's URL", () => {
    const mail = composeEmail(report, "https://hooks.example.com/");
    expect(mail.subject).toBe('[Leadhooks] Rule "<b>CRM</b>": 2 failed deliveries (HTTP 500)');
    expect(mail.text).toContain("https://hooks.example.com/deliveries/dlv_b");
    expect(mail.text).toContain("https://hooks.example.com/deliveries/dlv_a");
    expect(mail.text).toContain("https://hooks.example.com/deliveries?ruleId=rule_1");
    expect(mail.html).toContain('href="https://hooks.example.com/deliveries/dlv_a"');
  });

  it("escapes rule titles and receivers' messages in the HTML part", () => {
    const { html } = composeEmail(report, "https://hooks.example.com");
    expect(html).not.toMatch(/<b>|<script>/);
    expect(html).toContain("&lt;b&gt;CRM&lt;/b&gt;");
    expect(html).toContain("&lt;script&gt;x&lt;/script&gt;");
  });

  it("keeps a subject on one line and points a disable notice at the rules list", () => {
    const mail = composeEmail({ kind: "RULE_DISABLED", ruleId: "rule_1", title: "Rule \"a\r\nBcc: x@evil.test\" was disabled", body: "Disabled.", data: {} }, "https://h.example");
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text).toContain("https://h.example/rules");
  });
});
