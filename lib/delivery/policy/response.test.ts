import { describe, expect, it } from "vitest";
import { regexProblem, storedResponseRulesSchema, type ResponseRules } from "@/lib/domain/rule/response";
import { evaluateResponse, MAX_REGEX_CHARS, MAX_VALUE_CHARS, normalizeJsonPath, ParsedBody, successStatusTest } from "./response";

const rules = (r: Record<string, unknown> = {}): ResponseRules => storedResponseRulesSchema.parse(r);
const res = (status: number, body = "", bodyTruncated = false) => ({ status, headers: {}, body, bodyTruncated });
const json = (v: unknown) => JSON.stringify(v);

describe("success statuses", () => {
  it("defaults to 2xx, and an unreadable list falls back to 2xx", () => {
    for (const list of ["2xx", "", "nonsense"]) {
      const ok = successStatusTest(list);
      expect([200, 204, 299].every(ok)).toBe(true);
      expect([199, 300, 302, 404, 500].some(ok)).toBe(false);
    }
  });

  it("reads ranges and single codes", () => {
    const rangePlus = successStatusTest("200-299,302");
    expect([200, 250, 299, 302].every(rangePlus)).toBe(true);
    expect([301, 303, 404].some(rangePlus)).toBe(false);
    const only201 = successStatusTest("201");
    expect(only201(201)).toBe(true);
    expect(only201(200)).toBe(false);
  });

  it("judges by the rule's list", () => {
    expect(evaluateResponse(rules({ successStatuses: "201" }), res(200))).toMatchObject({ success: false, reason: "Status 200 is not a success status (201)" });
    expect(evaluateResponse(rules({ successStatuses: "201" }), res(201))).toEqual({ success: true, reason: null, values: null, error: null });
    expect(evaluateResponse(rules({ successStatuses: "200-299,302" }), res(302)).success).toBe(true);
    expect(evaluateResponse(rules(), res(500)).reason).toBe("Status 500 is not a success status (2xx)");
  });

  it("never counts 999 (no response) as success, even when the list includes it by range", () => {
    const v = evaluateResponse(rules({ successStatuses: "1xx,2xx,3xx,4xx,5xx" }), res(999));
    expect(v).toEqual({ success: false, reason: "No HTTP response", values: null, error: null });
  });
});

describe("body condition", () => {
  const statusOk = { enabled: true, kind: "json", path: "status", equals: "ok" };

  it('turns a 200 whose body says {"status":"error"} into a failure with the reason', () => {
    const v = evaluateResponse(rules({ bodyCondition: statusOk }), res(200, json({ status: "error" })));
    expect(v.success).toBe(false);
    expect(v.reason).toBe('Body check failed: status is "error", expected "ok"');
    expect(evaluateResponse(rules({ bodyCondition: statusOk }), res(200, json({ status: "ok" }))).success).toBe(true);
  });

  it("compares trimmed strings; numbers and booleans by their string form", () => {
    const cond = (path: string, equals: string) => rules({ bodyCondition: { enabled: true, kind: "json", path, equals } });
    const body = json({ data: { accepted: true, count: 3, code: "  OK " } });
    expect(evaluateResponse(cond("$.data.accepted", "true"), res(200, body)).success).toBe(true);
    expect(evaluateResponse(cond("data.count", " 3 "), res(200, body)).success).toBe(true);
    expect(evaluateResponse(cond("data.code", "OK"), res(200, body)).success).toBe(true);
    expect(evaluateResponse(cond("data.accepted", "false"), res(200, body)).reason).toBe('Body check failed: data.accepted is "true", expected "false"');
  });

  it("fails when the value is missing or the body is not JSON, saying when the body was cut", () => {
    expect(evaluateResponse(rules({ bodyCondition: statusOk }), res(200, json({ other: 1 }))).reason).toBe('Body check failed: status not found in the response, expected "ok"');
    expect(evaluateResponse(rules({ bodyCondition: statusOk }), res(200, "<html>OK</html>")).success).toBe(false);
    expect(evaluateResponse(rules({ bodyCondition: statusOk }), res(200, '{"status":"ok", "pad": "xx', true)).reason).toBe(
      'Body check failed: status not found in the response, expected "ok" (the response body was truncated)',
    );
  });

  it("is not checked when disabled, nor when the status already failed", () => {
    expect(evaluateResponse(rules({ bodyCondition: { ...statusOk, enabled: false } }), res(200, json({ status: "error" }))).success).toBe(true);
    expect(evaluateResponse(rules({ bodyCondition: statusOk }), res(503, json({ status: "ok" }))).reason).toBe("Status 503 is not a success status (2xx)");
  });

  it("reads an XPath on an XML body", () => {
    const cond = rules({ bodyCondition: { enabled: true, kind: "xpath", path: "//result/status", equals: "accepted" } });
    const xml = (s: string) => `<?xml version="1.0"?><response><result><status>${s}</status></result></response>`;
    expect(evaluateResponse(cond, res(200, xml("accepted"))).success).toBe(true);
    expect(evaluateResponse(cond, res(200, xml("rejected"))).reason).toBe('Body check failed: //result/status is "rejected", expected "accepted"');
    const attr = rules({ bodyCondition: { enabled: true, kind: "xpath", path: "/response/@ok", equals: "1" } });
    expect(evaluateResponse(attr, res(200, '<response ok="1"/>')).success).toBe(true);
    expect(evaluateResponse(attr, res(200, json({ ok: 1 }))).success).toBe(false);
  });
});

describe("response parser", () => {
  it("extracts named values from JSON, with or without the leading $", () => {
    const parsers = [
      { name: "lead_id", kind: "json", path: "lead.id" },
      { name: "first", kind: "json", path: "$.items[0].ref" },
      { name: "all_refs", kind: "json", path: "items[*].ref" },
      { name: "obj", kind: "json", path: "lead.meta" },
      { name: "missing", kind: "json", path: "lead.nope" },
      { name: "nulled", kind: "json", path: "lead.gone" },
    ];
    const body = json({ lead: { id: 123, meta: { a: 1 }, gone: null }, items: [{ ref: "x" }, { ref: "y" }] });
    const v = evaluateResponse(rules({ parsers }), res(201, body));
    expect(v.values).toEqual({ lead_id: "123", first: "x", all_refs: "x", obj: '{"a":1}' });
  });

  it("extracts from XML: element text, attribute, string and number results", () => {
    const parsers = [
      { name: "outcome", kind: "xpath", path: "//status" },
      { name: "code", kind: "xpath", path: "/response/@code" },
      { name: "joined", kind: "xpath", path: "concat(//status, '-', /response/@code)" },
      { name: "count", kind: "xpath", path: "count(//item)" },
      { name: "any_ns", kind: "xpath", path: "//*[local-name()='id']" },
    ];
    // String results are XPath's own (only their ends are trimmed); node text is trimmed.
    const body = '<response code="A7"><status> queued </status><item/><item/><x:id xmlns:x="urn:x">42</x:id></response>';
    expect(evaluateResponse(rules({ parsers }), res(200, body)).values).toEqual({ outcome: "queued", code: "A7", joined: "queued -A7", count: "2", any_ns: "42" });
  });

  it("extracts from failures too, and caps each value", () => {
    const parsers = [{ name: "ref", kind: "json", path: "ref" }];
    const v = evaluateResponse(rules({ parsers }), res(500, json({ ref: "r".repeat(2000) })));
    expect(v.success).toBe(false);
    expect(v.values?.ref).toHaveLength(MAX_VALUE_CHARS);
  });

  it("returns null values when nothing matched or nothing is configured", () => {
    expect(evaluateResponse(rules(), res(200, json({ a: 1 }))).values).toBeNull();
    expect(evaluateResponse(rules({ parsers: [{ name: "a", kind: "json", path: "b" }] }), res(200, json({ a: 1 }))).values).toBeNull();
  });
});

describe("error parser", () => {
  const errorParser = { kind: "json", code: "error.code", message: "error.message", field: "error.details[0].field" };

  it("reads code, message and field from a 422 JSON body", () => {
    const body = json({ error: { code: "VALIDATION", message: "Email is invalid", details: [{ field: "email" }] } });
    const v = evaluateResponse(rules({ errorParser }), res(422, body));
    expect(v).toMatchObject({ success: false, error: { code: "VALIDATION", message: "Email is invalid", field: "email" } });
  });

  it("runs on a body-condition failure, never on success", () => {
    const body = json({ status: "error", error: { code: "DUP", message: "Duplicate lead" } });
    const bodyCondition = { enabled: true, kind: "json", path: "status", equals: "ok" };
    expect(evaluateResponse(rules({ errorParser, bodyCondition }), res(200, body)).error).toEqual({ code: "DUP", message: "Duplicate lead" });
    expect(evaluateResponse(rules({ errorParser }), res(200, body)).error).toBeNull();
  });

  it("reads XML error bodies, and leaves out blank paths", () => {
    const xmlParser = { kind: "xpath", code: "//error/@code", message: "//error/text()", field: "" };
    const v = evaluateResponse(rules({ errorParser: xmlParser }), res(400, '<errors><error code="E12">Bad phone</error></errors>'));
    expect(v.error).toEqual({ code: "E12", message: "Bad phone" });
  });

  it("gives null when the failure body has none of them", () => {
    expect(evaluateResponse(rules({ errorParser }), res(500, "Internal Server Error")).error).toBeNull();
    expect(evaluateResponse(rules({ errorParser }), res(999, "")).error).toBeNull();
  });
});

describe("untrusted bodies", () => {
  const parsers = [
    { name: "j", kind: "json", path: "a" },
    { name: "x", kind: "xpath", path: "//a" },
  ];

  it("treats malformed JSON and XML as having no value", () => {
    for (const body of ['{"a": 1', "<a>1", "<a>1</b>", "", "   ", "plain text", "<<<>>>", "\u0000\u0001", "[1,2"]) {
      expect(evaluateResponse(rules({ parsers }), res(200, body))).toEqual({ success: true, reason: null, values: null, error: null });
    }
  });

  it("does not resolve external entities nor expand declared ones", () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>';
    const laughs = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;&l;&l;&l;&l;&l;">]><a>&l2;</a>';
    for (const body of [xxe, laughs]) expect(evaluateResponse(rules({ parsers }), res(200, body)).values).toBeNull();
    // The predefined XML entities still work.
    expect(evaluateResponse(rules({ parsers }), res(200, "<a>Tom &amp; Jerry</a>")).values).toEqual({ x: "Tom & Jerry" });
  });

  it("treats paths that do not parse, filter scripts and undeclared prefixes as no value", () => {
    const body = new ParsedBody(json({ a: [{ b: 1 }] }));
    expect(body.read("json", "$.a[?(@.b==1)].b")).toBeNull();
    expect(body.read("json", "")).toBeNull();
    const xml = new ParsedBody("<a><b>1</b></a>");
    expect(xml.read("xpath", "//b[")).toBeNull();
    expect(xml.read("xpath", "//p:b")).toBeNull();
    expect(xml.read("xpath", "//b")).toBe("1");
  });

  it("skips a byte-order mark", () => {
    expect(new ParsedBody(`\ufeff${json({ a: "yes" })}`).read("json", "a")).toBe("yes");
    expect(new ParsedBody("\ufeff<a>yes</a>").read("xpath", "/a")).toBe("yes");
  });
});

it("normalizes JSON paths", () => {
  expect(normalizeJsonPath("lead.id")).toBe("$.lead.id");
  expect(normalizeJsonPath(" $.lead.id ")).toBe("$.lead.id");
  expect(normalizeJsonPath("[0].id")).toBe("$[0].id");
});

describe("regular expression parsers (the client's answer in a text body)", () => {
  const answer = (parsers: { name: string; kind?: string; path: string }[], body: string) => evaluateResponse(rules({ parsers }), res(200, body)).values;

  it("read the first capture group, or the whole match", () => {
    const body = "RESULT=accepted|ID= A-17 |PRICE=12.50";
    expect(answer([{ name: "remoteId", kind: "regex", path: "ID=([^|]+)" }, { name: "price", kind: "regex", path: "\\d+\\.\\d{2}" }], body)).toEqual({ remoteId: "A-17", price: "12.50" });
    expect(answer([{ name: "result", kind: "regex", path: "<result>(\\w+)</result>" }], "<r><result>sold</result></r>")).toEqual({ result: "sold" });
  });

  it("find nothing in a body that does not match, or past the part they read", () => {
    expect(answer([{ name: "remoteId", kind: "regex", path: "ID=(\\d+)" }], "no id here")).toBeNull();
    expect(answer([{ name: "remoteId", kind: "regex", path: "ID=(\\d+)" }], `${" ".repeat(MAX_REGEX_CHARS)}ID=5`)).toBeNull();
  });

  it("refuse patterns that do not compile or repeat a repeating group", () => {
    expect(regexProblem("ID=(\\d+)")).toBeNull();
    expect(regexProblem("(a|b){2,3}")).toBeNull();
    for (const bad of ["(", "(a+)+$", "(\\w*\\s?)*", "(x{1,}){2,}"]) expect(regexProblem(bad)).not.toBeNull();
    expect(storedResponseRulesSchema.parse({ parsers: [{ name: "x", kind: "regex", path: "(a+)+" }] }).parsers).toEqual([]);
    // A hand-stored unsafe pattern reads as no value rather than running.
    expect(new ParsedBody("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab").read("regex", "(a+)+c")).toBeNull();
  });
});
