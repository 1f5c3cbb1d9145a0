import { describe, expect, it } from "vitest";
import { csvEscape, padLeft, padRight, xmlEscape } from "./filters";
import { TemplateError, textTemplates } from "./liquid";

const render = (source: string, scope: object = {}) => textTemplates.render(source, scope);
const errorOf = (fn: () => unknown): TemplateError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return err as TemplateError;
  }
  throw new Error("expected a TemplateError");
};

describe("the template engine's sandbox", () => {
  it("refuses include, render and layout when the template is parsed", () => {
    for (const tag of ["{% include 'x' %}", "{% render 'x' %}", "{% layout 'x' %}body"]) {
      const err = errorOf(() => textTemplates.parse(tag));
      expect(err.reason).toMatch(/is not available: a template cannot load other templates or files/);
      expect(err.line).toBe(1);
    }
  });

  it("never reads prototype members", () => {
    const lead = { name: "Ada" };
    expect(render("[{{ lead.constructor }}][{{ lead.__proto__ }}][{{ lead.name.constructor }}][{{ lead.toString }}]", { lead })).toBe("[][][][]");
    expect(render("{{ lead.name }}", { lead })).toBe("Ada");
  });

  it("reports an unknown filter with its line and column", () => {
    const err = errorOf(() => render("<a>\n<b>\n  {{ lead.name | shout }}</b>", { lead: {} }));
    expect(err.reason).toBe("undefined filter: shout");
    expect([err.line, err.column]).toEqual([3, 3]);
    expect(err.message).toBe("line 3, column 3: undefined filter: shout");
    expect(err.describe("The XML template")).toBe("The XML template has an error on line 3: undefined filter: shout.");
  });

  it("reports syntax errors the same way", () => {
    const err = errorOf(() => textTemplates.parse("a\n{{ lead.name "));
    expect(err.line).toBe(2);
    expect(err.reason).toMatch(/not closed/);
  });

  it("stops a template that allocates without bound", () => {
    const err = errorOf(() => render("{% for i in (1..100000000) %}x{% endfor %}"));
    expect(err.reason).toMatch(/limit exceeded/);
  });

  it("stops a template that renders for too long", () => {
    const loops = "{% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}{% endfor %}{% endfor %}{% endfor %}";
    const started = Date.now();
    expect(errorOf(() => render(loops)).reason).toMatch(/template render limit exceeded/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("keeps the built-in json and url_encode filters", () => {
    expect(render("{{ v | json }}", { v: { a: [1, "x"] } })).toBe('{"a":[1,"x"]}');
    expect(render("{{ v | url_encode }}", { v: "a b&c=d/é" })).toBe("a+b%26c%3Dd%2F%C3%A9");
  });

  it("renders the date filter in UTC", () => {
    expect(render('{{ "2026-03-05T23:30:00Z" | date: "%Y-%m-%d %H:%M" }}')).toBe("2026-03-05 23:30");
  });
});

describe("Leadhooks' filters", () => {
  it("xml_escape escapes markup and drops characters XML cannot hold", () => {
    expect(xmlEscape(`<&>"'`)).toBe("&lt;&amp;&gt;&quot;&apos;");
    expect(xmlEscape("a\u0000b\u0007c\td\n")).toBe("abc\td\n");
    expect(xmlEscape(null)).toBe("");
    expect(render("{{ v | xml_escape }}", { v: "Tom & Jerry's <b>" })).toBe("Tom &amp; Jerry&apos;s &lt;b&gt;");
  });

  it("csv_escape quotes only when needed and doubles quotes (RFC 4180)", () => {
    expect(csvEscape("plain")).toBe("plain");
    expect(csvEscape('Smith, "Jr"')).toBe('"Smith, ""Jr"""');
    expect(csvEscape("two\nlines")).toBe('"two\nlines"');
    expect(csvEscape("a|b")).toBe("a|b");
    expect(csvEscape("a|b", "|")).toBe('"a|b"');
    expect(csvEscape(12)).toBe("12");
    expect(render('{{ a | csv_escape }},{{ b | csv_escape: "," }}', { a: 'say "hi"', b: "x" })).toBe('"say ""hi""",x');
  });

  it("pad_left and pad_right pad and truncate to exactly the width", () => {
    expect(padRight("Ada", 6)).toBe("Ada   ");
    expect(padRight("Lovelace", 4)).toBe("Love");
    expect(padLeft(42, 6, "0")).toBe("000042");
    expect(padLeft("1234567", 4, "0")).toBe("1234");
    expect(padRight("😀ab", 2)).toBe("😀a");
    expect(padRight(null, 3, "*")).toBe("***");
    expect(render('[{{ a | pad_right: 5 }}][{{ b | pad_left: 3, "0" }}]', { a: "abcdefg", b: 7 })).toBe("[abcde][007]");
  });

  it("pad filters without a usable width are errors, not silent output", () => {
    expect(errorOf(() => render("{{ a | pad_left }}", { a: "x" })).reason).toMatch(/pad_left needs a width between 0 and 10,000/);
    expect(errorOf(() => render("{{ a | pad_right: 99999999 }}", { a: "x" })).reason).toMatch(/pad_right needs a width/);
  });

  it("digits keeps only 0-9", () => {
    expect(render("{{ p | digits }}", { p: "+1 (617) 555-0142" })).toBe("16175550142");
  });
});
