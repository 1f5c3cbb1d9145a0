import { describe, expect, it } from "vitest";
import { RenderError } from "./errors";
import { TemplateError } from "./liquid";
import { testContext, testLead } from "./testing";
import { isUrlTemplate } from "@/lib/domain/rule/request";
import { renderUrl } from "./url";

const withRegion = (region: unknown) => testContext(testLead({ customFields: { region } }));

describe("dynamic URLs", () => {
  it("fills in lead values", () => {
    expect(renderUrl("https://api.example.com/{{ lead.customFields.region }}/leads?office={{ lead.office }}", withRegion("north east"))).toBe(
      "https://api.example.com/north%20east/leads?office=Boston",
    );
  });

  it("keeps a hostile value inside one path segment", () => {
    const url = renderUrl("https://api.example.com/{{ lead.customFields.region }}/leads", withRegion("../evil?x=1#"));
    expect(url).toBe("https://api.example.com/..%2Fevil%3Fx%3D1%23/leads");
    const parsed = new URL(url);
    expect(parsed.host).toBe("api.example.com");
    expect(parsed.pathname).toBe("/..%2Fevil%3Fx%3D1%23/leads");
    expect(parsed.search).toBe("");
    expect(parsed.hash).toBe("");
  });

  it("keeps a hostile value inside one query value", () => {
    const url = renderUrl("https://api.example.com/leads?region={{ lead.customFields.region }}&key=1", withRegion("x&key=2#"));
    expect(new URL(url).searchParams.getAll("key")).toEqual(["1"]);
    expect(new URL(url).searchParams.get("region")).toBe("x&key=2#");
  });

  it("refuses a value that is a whole '.' or '..' segment", () => {
    expect(() => renderUrl("https://api.example.com/v1/{{ lead.customFields.region }}/leads", withRegion(".."))).toThrow(/"\." or "\.\." path segment/);
    expect(() => renderUrl("https://api.example.com/v1/{{ lead.customFields.region }}/leads", withRegion("."))).toThrow(RenderError);
  });

  it("keeps the host the template writes out: values only after it", () => {
    const hostError = /must write out the host: use template values only after it/;
    expect(() => renderUrl("https://example.com{{ lead.customFields.region }}/x", withRegion(".evil.test"))).toThrow(hostError);
    expect(() => renderUrl("https://example.com{{ lead.customFields.region }}/x", withRegion(""))).toThrow(hostError);
    expect(() => renderUrl("https://{{ lead.customFields.region }}.example.com/x", withRegion("northeast"))).toThrow(hostError);
    expect(() => renderUrl("https://example.com{{ lead.customFields.region }}/x", withRegion("@evil.test"))).toThrow(RenderError);
    expect(renderUrl("https://user-api.example.com:8443/{{ lead.customFields.region }}", withRegion("x"))).toBe("https://user-api.example.com:8443/x");
  });

  it("escapes values even with | raw, and does not double-encode | url_encode", () => {
    expect(renderUrl("https://api.example.com/{{ lead.customFields.region | raw }}", withRegion("a/b"))).toBe("https://api.example.com/a%2Fb");
    expect(renderUrl("https://api.example.com/{{ lead.customFields.region | url_encode }}", withRegion("a b"))).toBe("https://api.example.com/a%20b");
  });

  it("escapes what tags write too (echo, liquid, cycle)", () => {
    const ctx = withRegion("a/b?c");
    for (const t of ["{% echo lead.customFields.region %}", "{% liquid echo lead.customFields.region %}", "{% cycle lead.customFields.region, 'x' %}"]) {
      expect(renderUrl(`https://api.example.com/${t}`, ctx)).toBe("https://api.example.com/a%2Fb%3Fc");
    }
  });

  it("never repeats a password written into the URL (a rule saved before such URLs were refused)", () => {
    let message = "";
    try {
      renderUrl("https://admin:pa55word@{{ lead.customFields.region }}", withRegion(""));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/did not produce an absolute URL \(got "https:\/\/"\)/);
    expect(message).not.toContain("pa55word");
  });

  it("rejects a result that is not an absolute http(s) URL", () => {
    const ctx = testContext(testLead({ customFields: { base: "https://evil.test" } }));
    expect(() => renderUrl("{{ lead.customFields.base }}/leads", ctx)).toThrow(/did not produce an absolute URL \(got "https%3A%2F%2Fevil.test\/leads"\)/);
    expect(() => renderUrl("/leads/{{ lead.id }}", ctx)).toThrow(RenderError);
    expect(() => renderUrl("ftp://files.example.com/{{ lead.id }}", ctx)).toThrow(/ftp: URL/);
    expect(() => renderUrl("https://api.example.com/{% if true %} {% endif %}{{ lead.id }}", ctx)).toThrow(/spaces or line breaks/);
  });

  it("returns a URL without template syntax unchanged", () => {
    expect(isUrlTemplate("https://x.test/a?b=%20")).toBe(false);
    expect(renderUrl("https://x.test/a?b=%20&flag", testContext())).toBe("https://x.test/a?b=%20&flag");
    // Not even checked: the rule schema validated it when it was saved.
    expect(renderUrl("not a url", testContext())).toBe("not a url");
  });

  it("reports template errors as TemplateError", () => {
    expect(() => renderUrl("https://x.test/{{ lead.id | nope }}", testContext())).toThrow(TemplateError);
  });
});
