import { describe, expect, it } from "vitest";
import { ruleSecretValues, secretScrubber, unencodedCore } from "./secrets";

describe("secret scrubbing", () => {
  const scrub = (text: string, values: string[], truncated = false) => secretScrubber(values)(text, { truncated });

  /** A value as receivers echo it: as is, URL- and form-encoded, JSON-escaped, HTML-escaped three ways. */
  const echoes = (s: string) => {
    const html = s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
    return [
      s,
      encodeURIComponent(s),
      encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      new URLSearchParams([["", s]]).toString().slice(1),
      JSON.stringify(s).slice(1, -1),
      JSON.stringify(s).slice(1, -1).replace(/\//g, "\\/"),
      html,
      html.replace(/'/g, "&#39;"),
      html.replace(/'/g, "&#x27;"),
    ];
  };

  it("finds a secret as is and in the encodings receivers echo", () => {
    const s = "a/b+c=d&e<f>'g\"";
    expect(echoes(s).slice(6)).toEqual(["a/b+c=d&amp;e&lt;f&gt;'g&quot;", "a/b+c=d&amp;e&lt;f&gt;&#39;g&quot;", "a/b+c=d&amp;e&lt;f&gt;&#x27;g&quot;"]);
    for (const e of echoes(s)) expect([e, scrub(`x ${e} y`, [s])]).toEqual([e, "x [redacted] y"]);
  });

  it("finds a secret whose letters and digits run long (checked for that run first) in every encoding too", () => {
    const s = "tok_LongCore1234/x+y=z&q<w>'\"";
    expect(unencodedCore(s)).toBe("LongCore1234");
    for (const e of echoes(s)) expect([e, scrub(`x ${e} y`, [s])]).toEqual([e, "x [redacted] y"]);
    expect(scrub("an answer that holds no secret: LongCore123", [s])).toBe("an answer that holds no secret: LongCore123");
  });

  it("finds a Basic pair's base64 also without its padding and in base64url", () => {
    const b64 = Buffer.from("alice:s3cr3t>>?~").toString("base64"); // "YWxpY2U6czNjcjN0Pj4/fg==": "/" and "=" present
    const values = ruleSecretValues({ auth: { type: "BASIC", username: "alice", password: "s3cr3t>>?~" }, signingSecrets: [] });
    for (const e of [b64, b64.replace(/=+$/, ""), b64.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")]) {
      expect([e, scrub(`echo ${e} end`, values)]).toEqual([e, "echo [redacted] end"]);
    }
  });

  it("redacts the start of a secret cut off by a truncated body, and only then", () => {
    expect(scrub("body… secret-tok", ["secret-token-123"], true)).toBe("body… [redacted]");
    expect(scrub("body… secret-tok", ["secret-token-123"], false)).toBe("body… secret-tok");
  });

  it("ignores values too short to be secrets", () => {
    expect(scrub("a b abc", ["abc", "b"])).toBe("a b abc");
  });

  it("lists every credential of the rule, the credentials sent and the signing secrets", () => {
    expect(ruleSecretValues({ auth: { type: "BASIC", username: "crm", password: "pw-1" }, signingSecrets: ["whsec_QUJD"] })).toEqual([
      "pw-1", Buffer.from("crm:pw-1").toString("base64"), "whsec_QUJD", "QUJD",
    ]);
    const sent = { sentCredentials: ["Bearer at-123456", "Digest username=\"u\", response=\"abcd\""] };
    expect(ruleSecretValues({ auth: { type: "NONE" }, signingSecrets: [], sent })).toEqual([
      "Bearer at-123456", "at-123456", 'Digest username="u", response="abcd"', 'username="u", response="abcd"',
    ]);
    const oauth = ruleSecretValues({
      auth: { type: "OAUTH2", tokenUrl: "https://a.example/t", grantType: "client_credentials", clientId: "my id", clientSecret: "s-123", username: "", password: "", scope: "", audience: "", clientAuth: "basic" },
      signingSecrets: [],
    });
    expect(oauth).toEqual(["s-123", Buffer.from("my+id:s-123").toString("base64")]);
  });
});
