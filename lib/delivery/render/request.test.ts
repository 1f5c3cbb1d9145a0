import { describe, expect, it } from "vitest";
import type { EventEnvelope } from "@/lib/domain/event";
import { ruleFromRow, type RuleRequest } from "@/lib/domain/rule";
import type { FieldMapping } from "@/lib/domain/rule/request";
import { RenderError } from "./errors";
import { renderRequest, USER_AGENT, type RenderedRequest } from "./request";
import { mapping, testEnvelope, testLead, testRule } from "./testing";

const NOW = new Date("2026-03-05T15:00:00.000Z"); // a Thursday, 10:00 in New York

// The mapping most receivers ask for: nested names, a cleaned phone, an upper-case state, a
// formatted date and a default for a missing value.
const nested: FieldMapping[] = [
  mapping({ target: "name.first", value: "lead.firstName" }),
  mapping({ target: "name.last", value: "lead.lastName" }),
  mapping({ target: "phone", value: "lead.phone", digitsOnly: true }),
  mapping({ target: "state", value: "lead.customFields.state", case: "upper" }),
  mapping({ target: "signed_on", value: "lead.customFields.signedOn", dateFormat: "MM/DD/YYYY HH:mm" }),
  mapping({ target: "tracker", value: "lead.caseTrackerCode", defaultValue: "NONE" }),
  mapping({ target: "score", value: "lead.score" }),
];
const custom = { mode: "custom" as const, fields: nested };

function sent(rule: RuleRequest, envelope: EventEnvelope = testEnvelope(), now = NOW): Extract<RenderedRequest, { kind: "send" }> {
  const r = renderRequest(rule, envelope, now);
  if (r.kind !== "send") throw new Error(`expected a request, got: ${r.reason}`);
  return r;
}

describe("payload formats, byte for byte", () => {
  it("JSON: the mapped object with nested names and transforms", () => {
    const r = sent(testRule({ mappings: custom, wrapInEnvelope: false }));
    expect(r.body).toBe('{"name":{"first":"Ada","last":"Lovelace"},"phone":"6175550142","state":"MA","signed_on":"03/05/2026 14:07","tracker":"NONE","score":12}');
    expect(r.headers["content-type"]).toBe("application/json");
  });

  it("JSON in the envelope: data.lead is the mapped object", () => {
    const r = sent(testRule({ mappings: custom, wrapInEnvelope: true }));
    expect(r.body).toBe(
      '{"id":"evt_1","type":"lead.created","timestamp":"2026-03-05T15:00:00.000Z","organization":{"id":"org_1","name":"Acme Intake"},' +
        '"data":{"lead":{"name":{"first":"Ada","last":"Lovelace"},"phone":"6175550142","state":"MA","signed_on":"03/05/2026 14:07","tracker":"NONE","score":12}}}',
    );
  });

  it('"map all fields" in the envelope is exactly JSON.stringify(envelope), as before mappings existed', () => {
    const envelopes: EventEnvelope[] = [
      testEnvelope(),
      { ...testEnvelope(testLead(), "lead.note_added"), data: { lead: testLead(), note: { id: "note_1", body: 'He said "call <later>"', author: null, createdAt: "2026-03-05T15:00:00.000Z" } } },
      { ...testEnvelope(testLead(), "lead.updated"), data: { lead: testLead(), changes: { status: { from: "New", to: "Retained" } } } },
      testEnvelope(null, "lead.deleted"),
    ];
    for (const envelope of envelopes) {
      const r = sent(testRule(), envelope);
      expect(r.body).toBe(JSON.stringify(envelope));
      expect(r.headers).toEqual({ "content-type": "application/json", "user-agent": USER_AGENT });
    }
  });

  it("form URL-encoded: flattened names, encoded values", () => {
    const lead = testLead({ firstName: "Ada Marie", lastName: "O'Brien & Sons" });
    const r = sent(testRule({ mappings: custom, payloadFormat: "FORM" }), testEnvelope(lead));
    expect(r.body).toBe("name.first=Ada+Marie&name.last=O%27Brien+%26+Sons&phone=6175550142&state=MA&signed_on=03%2F05%2F2026+14%3A07&tracker=NONE&score=12");
    expect(r.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("form URL-encoded with every field: nulls empty, custom fields dotted, arrays as JSON", () => {
    const lead = testLead({ substatus: null, customFields: { region: "northeast", tags: ["a", "b"] } });
    const r = sent(testRule({ payloadFormat: "FORM" }), testEnvelope(lead));
    expect(r.body).toBe(
      "id=lead_1&email=ada%40example.com&phone=%28617%29+555-0142&firstName=Ada&lastName=Lovelace&status=New&substatus=&caseType=Auto+Accident&office=Boston" +
        "&opportunitySource=Web+Form&marketingSource=Google+Ads&caseTrackerCode=&score=12&customFields.region=northeast&customFields.tags=%5B%22a%22%2C%22b%22%5D" +
        "&createdAt=2026-03-01T10%3A00%3A00.000Z&updatedAt=2026-03-01T10%3A00%3A00.000Z",
    );
  });

  it("XML template with xml_escape", () => {
    const lead = testLead({ lastName: `O'Neil <&> "Jr"` });
    const template = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<lead id="{{ lead.id | xml_escape }}" event="{{ event.type }}">',
      "  <first>{{ fields.name.first | xml_escape }}</first>",
      "  <last>{{ fields.name.last | xml_escape }}</last>",
      "  <phone>{{ fields.phone }}</phone>",
      "</lead>",
    ].join("\n");
    const r = sent(testRule({ mappings: custom, payloadFormat: "XML", payloadTemplate: template }), testEnvelope(lead));
    expect(r.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<lead id="lead_1" event="lead.created">\n  <first>Ada</first>\n' +
        "  <last>O&apos;Neil &lt;&amp;&gt; &quot;Jr&quot;</last>\n  <phone>6175550142</phone>\n</lead>",
    );
    expect(r.headers["content-type"]).toBe("application/xml");
  });

  it("a CSV line with csv_escape", () => {
    const lead = testLead({ lastName: 'Smith, "Jr"', customFields: { notes: "plain" } });
    const template = "{{ lead.id }},{{ lead.firstName | csv_escape }},{{ lead.lastName | csv_escape }},{{ lead.customFields.notes | csv_escape }},{{ fields.phone }}\r\n";
    const r = sent(testRule({ mappings: custom, payloadFormat: "TEMPLATE", payloadTemplate: template }), testEnvelope(lead));
    expect(r.body).toBe('lead_1,Ada,"Smith, ""Jr""",plain,6175550142\r\n');
    expect(r.headers["content-type"]).toBe("text/plain; charset=utf-8");
  });

  it("a fixed-width record with pad_right / pad_left (truncating)", () => {
    const lead = testLead({ firstName: "Alexandrina", lastName: "Lovelace", score: 7 });
    const template = '{{ lead.firstName | pad_right: 8 }}{{ lead.lastName | pad_right: 10 }}{{ lead.score | pad_left: 4, "0" }}{{ fields.state | pad_left: 3 }}{{ lead.customFields.none | pad_right: 2, "*" }}';
    const r = sent(testRule({ mappings: custom, payloadFormat: "TEMPLATE", payloadTemplate: template }), testEnvelope(lead));
    expect(r.body).toBe("AlexandrLovelace  0007 MA**");
    expect(r.body).toHaveLength(8 + 10 + 4 + 3 + 2);
  });

  it("GET: no body, the fields appended to the query (existing parameters kept as written)", () => {
    const r = sent(testRule({ method: "GET", url: "https://hooks.example.com/leads?src=lh&tag=a%20b#frag", mappings: custom, payloadFormat: "XML", payloadTemplate: "<x/>" }));
    expect(r.url).toBe(
      "https://hooks.example.com/leads?src=lh&tag=a%20b&name.first=Ada&name.last=Lovelace&phone=6175550142&state=MA&signed_on=03%2F05%2F2026+14%3A07&tracker=NONE&score=12#frag",
    );
    expect(r.body).toBe("");
    expect(r.method).toBe("GET");
    expect(r.headers).toEqual({ "user-agent": USER_AGENT });
    expect(sent(testRule({ method: "GET", url: "https://h.example.com/x", mappings: { mode: "custom", fields: [mapping({ target: "a", source: "static", value: "1" })] } })).url).toBe("https://h.example.com/x?a=1");
  });
});

describe("headers", () => {
  it("content-type, user-agent, then custom headers, lower-cased; a custom Content-Type (any case) wins", () => {
    const r = sent(
      testRule({
        headers: [
          { name: "X-Api-Version", value: "2" },
          { name: "CONTENT-TYPE", value: "application/vnd.acme+json" },
          { name: "Webhook-Signature", value: "forged" },
          { name: "__proto__", value: "odd" },
        ],
      }),
    );
    expect(Object.entries(r.headers)).toEqual([
      ["content-type", "application/vnd.acme+json"],
      ["user-agent", USER_AGENT],
      ["x-api-version", "2"],
      ["__proto__", "odd"],
    ]);
  });
});

describe("conditions and the sending window", () => {
  it("a lead that fails the conditions is skipped with the reason", () => {
    const rule = testRule({ conditions: { match: "all", items: [{ field: "lead.score", op: "gt", value: "50" }] } });
    expect(renderRequest(rule, testEnvelope(), NOW)).toEqual({ kind: "skip", reason: "Skipped: lead.score (12) is not greater than 50" });
    expect(sent(rule, testEnvelope(testLead({ score: 51 }))).notBefore).toBeNull();
  });

  const closed = { enabled: true, days: [1, 2, 3, 4, 5], start: "18:00", end: "20:00", timezone: "America/New_York", alternateUrl: "" };

  it("outside a 'wait' window the delivery is due when it opens", () => {
    const r = sent(testRule({ timeWindow: { ...closed, outside: "wait" } }));
    expect(r.notBefore?.toISOString()).toBe("2026-03-05T23:00:00.000Z");
    expect(r.url).toBe("https://hooks.example.com/leads");
    expect(sent(testRule({ timeWindow: { ...closed, start: "09:00", outside: "wait" } })).notBefore).toBeNull();
  });

  it("outside an 'alternate' window the alternate URL (a template too) is used at once", () => {
    const r = sent(testRule({ timeWindow: { ...closed, outside: "alternate", alternateUrl: "https://after-hours.example.com/{{ lead.customFields.region }}" } }));
    expect(r.url).toBe("https://after-hours.example.com/northeast");
    expect(r.notBefore).toBeNull();
  });

  it("conditions are checked before the window", () => {
    const rule = testRule({ conditions: { match: "all", items: [{ field: "lead.office", op: "equals", value: "Denver" }] }, timeWindow: { ...closed, outside: "wait" } });
    expect(renderRequest(rule, testEnvelope(), NOW).kind).toBe("skip");
  });
});

describe("dynamic URLs and errors", () => {
  it("renders the URL template with the lead", () => {
    expect(sent(testRule({ url: "https://api.example.com/{{ lead.customFields.region }}/leads" })).url).toBe("https://api.example.com/northeast/leads");
  });

  it("a template that cannot render throws a RenderError with the admin's message", () => {
    expect(() => renderRequest(testRule({ payloadFormat: "XML", payloadTemplate: "<a>\n{{ lead.id | nope }}</a>" }), testEnvelope(), NOW)).toThrow(
      "line 2, column 1: undefined filter: nope",
    );
    expect(() => renderRequest(testRule({ url: "{{ lead.email }}" }), testEnvelope(), NOW)).toThrow(RenderError);
  });
});

describe("a stored rule", () => {
  it("reads rules saved before these columns existed as the old default request", () => {
    const old = ruleFromRow({ url: "https://x.example.com", method: "POST", headers: [], fieldMappings: [], payloadFormat: "JSON", payloadTemplate: null, wrapInEnvelope: true, conditions: {}, timeWindow: null });
    expect(old).toEqual(testRule({ url: "https://x.example.com" }));
    expect(sent(old).body).toBe(JSON.stringify(testEnvelope()));
  });
});
