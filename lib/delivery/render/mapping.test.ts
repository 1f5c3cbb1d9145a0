import { describe, expect, it } from "vitest";
import { templateContext, valueAt } from "./context";
import { RenderError } from "./errors";
import { mappingSchema } from "@/lib/domain/rule/request";
import { applyMappings, applyTransforms, formatDate, joinFields, mapValue } from "./mapping";
import { mapping, testContext, testEnvelope, testLead } from "./testing";

describe("the template context", () => {
  it("holds the lead, the event, the organization, the note and the changes", () => {
    const envelope = { ...testEnvelope(), data: { lead: testLead(), note: { id: "n1", body: "Hi", author: null, createdAt: "x" } } };
    const ctx = templateContext(envelope);
    expect(ctx.event).toEqual({ id: "evt_1", type: "lead.created", timestamp: "2026-03-05T15:00:00.000Z" });
    expect(ctx.organization).toEqual({ id: "org_1", name: "Acme Intake" });
    expect(ctx.note?.body).toBe("Hi");
    expect(ctx.changes).toBeNull();
  });

  it("valueAt follows own properties only", () => {
    const ctx = testContext();
    expect(valueAt(ctx, "lead.customFields.region")).toBe("northeast");
    expect(valueAt(ctx, "lead.score")).toBe(12);
    expect(valueAt(ctx, "lead.customFields.missing")).toBeUndefined();
    expect(valueAt(ctx, "lead.email.length")).toBeUndefined();
    expect(valueAt(ctx, "lead.constructor")).toBeUndefined();
    expect(valueAt(ctx, "lead.__proto__")).toBeUndefined();
    expect(valueAt(ctx, "lead.customFields.toString")).toBeUndefined();
    expect(valueAt(testContext(null), "lead.email")).toBeUndefined();
    // Custom field names may contain dots.
    const dotted = testContext(testLead({ customFields: { "home.zip": "02108", home: "yes" } }));
    expect(valueAt(dotted, "lead.customFields.home.zip")).toBe("02108");
    expect(valueAt(dotted, "lead.customFields.home")).toBe("yes");
  });
});

describe("field mappings", () => {
  it('"map all fields" is the lead snapshot itself', () => {
    const ctx = testContext();
    expect(applyMappings({ mode: "all", fields: [] }, ctx)).toBe(ctx.lead);
    expect(applyMappings({ mode: "all", fields: [] }, testContext(null))).toBeNull();
  });

  it("custom mappings read fields, statics and templates and nest dotted names", () => {
    const fields = applyMappings(
      {
        mode: "custom",
        fields: [
          mapping({ target: "name.first", value: "lead.firstName" }),
          mapping({ target: "name.last", value: "lead.lastName" }),
          mapping({ target: "vendor", source: "static", value: "acme" }),
          mapping({ target: "label", source: "template", value: "{{ lead.lastName | upcase }}, {{ lead.firstName }}" }),
          mapping({ target: "score", value: "lead.score" }),
          mapping({ target: "missing", value: "lead.customFields.nope" }),
        ],
      },
      testContext(),
    );
    expect(JSON.stringify(fields)).toBe('{"name":{"first":"Ada","last":"Lovelace"},"vendor":"acme","label":"LOVELACE, Ada","score":12,"missing":null}');
  });

  it("a target named __proto__ is an ordinary field", () => {
    const fields = applyMappings({ mode: "custom", fields: [mapping({ target: "__proto__.polluted", source: "static", value: "yes" })] }, testContext());
    expect(JSON.stringify(fields)).toBe('{"__proto__":{"polluted":"yes"}}');
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("conflicting targets are an error, and never write into the lead", () => {
    const ctx = testContext();
    const conflict = () =>
      applyMappings({ mode: "custom", fields: [mapping({ target: "extra", value: "lead.customFields" }), mapping({ target: "extra.injected", source: "static", value: "x" })] }, ctx);
    expect(conflict).toThrow(RenderError);
    expect(conflict).toThrow('The field mapping "extra.injected" conflicts with "extra"');
    expect(ctx.lead?.customFields).not.toHaveProperty("injected");
    expect(() => applyMappings({ mode: "custom", fields: [mapping({ target: "a.b", source: "static", value: "1" }), mapping({ target: "a", source: "static", value: "2" })] }, ctx)).toThrow(RenderError);
  });
});

describe("transforms", () => {
  const t = (value: unknown, m: Partial<Parameters<typeof applyTransforms>[1]>) =>
    applyTransforms(value, { defaultValue: "", trim: false, digitsOnly: false, case: "none", dateFormat: "", ...m });

  it("apply in order: default, trim, digits only, case, date format", () => {
    expect(t(null, { defaultValue: "  n/a  ", trim: true, case: "upper" })).toBe("N/A");
    expect(t("   ", { defaultValue: "none" })).toBe("none");
    expect(t(undefined, {})).toBeNull();
    expect(t("  Ada ", { trim: true, case: "lower" })).toBe("ada");
    expect(t("+1 (617) 555-0142", { digitsOnly: true })).toBe("16175550142");
    expect(t(null, { defaultValue: "tel: 555 0100", digitsOnly: true })).toBe("5550100");
    expect(t(0, {})).toBe(0);
    expect(t(" 2026-03-05 ", { trim: true, dateFormat: "DD.MM.YYYY" })).toBe("05.03.2026");
  });

  it("date format: ISO dates in UTC; anything else is left as it is", () => {
    expect(formatDate("2026-03-05T14:07:09Z", "YYYY-MM-DD HH:mm:ss")).toBe("2026-03-05 14:07:09");
    expect(formatDate("2026-03-05T23:30:00-05:00", "YYYYMMDD HHmm")).toBe("20260306 0430");
    expect(formatDate("2026-03-05T08:15", "HH:mm")).toBe("08:15");
    expect(formatDate("2026-03-05", "MM/DD/YYYY")).toBe("03/05/2026");
    expect(formatDate("next Tuesday", "MM/DD/YYYY")).toBe("next Tuesday");
    expect(formatDate("12", "MM/DD/YYYY")).toBe("12");
    expect(formatDate("2026-13-45", "MM/DD/YYYY")).toBe("2026-13-45");
    expect(formatDate("2026-02-30", "MM/DD/YYYY")).toBe("2026-02-30");
    expect(t(20260305, { dateFormat: "YYYY" })).toBe(20260305);
  });
});

describe("value maps, phone formats, joins and static values", () => {
  const caseMap = [{ from: "Auto Accident", to: "AUTO" }, { from: "Slip and Fall", to: "PREMISES" }];

  it("translates a value through the map, matched after trim", () => {
    expect(mapValue("Auto Accident", { valueMap: caseMap })).toBe("AUTO");
    expect(mapValue("  Slip and Fall ", { valueMap: caseMap })).toBe("PREMISES");
  });

  it("matches case exactly unless asked to ignore it", () => {
    expect(mapValue("auto accident", { valueMap: caseMap })).toBe("auto accident");
    expect(mapValue("auto accident", { valueMap: caseMap, valueMapIgnoreCase: true })).toBe("AUTO");
  });

  it("sends the default for unmapped values, or the value itself when the default is empty", () => {
    expect(mapValue("Dog Bite", { valueMap: caseMap, valueMapDefault: "OTHER" })).toBe("OTHER");
    expect(mapValue("Dog Bite", { valueMap: caseMap, valueMapDefault: "" })).toBe("Dog Bite");
    expect(mapValue(null, { valueMap: caseMap })).toBeNull();
    expect(mapValue(null, { valueMap: [{ from: "", to: "NONE" }] })).toBe("NONE");
    expect(mapValue(12, { valueMap: [{ from: "12", to: "twelve" }] })).toBe("twelve");
    expect(mapValue({ a: 1 }, { valueMap: caseMap, valueMapDefault: "OTHER" })).toEqual({ a: 1 });
  });

  it("applies the map after default and trim, before case", () => {
    const m = mapping({ target: "t", value: "lead.phone", valueMap: caseMap, defaultValue: "Auto Accident", case: "lower" });
    expect(applyTransforms("", m)).toBe("auto");
    expect(applyTransforms(" Dog Bite ", { ...m, trim: true })).toBe("dog bite");
  });

  it("formats phone numbers, passing unreadable ones through", () => {
    expect(applyTransforms("(617) 555-0142", mapping({ target: "t", value: "lead.phone", phoneFormat: "e164" }))).toBe("+16175550142");
    expect(applyTransforms("6175550142", mapping({ target: "t", value: "lead.phone", phoneFormat: "national", phoneCountryCode: "+1" }))).toBe("(617) 555-0142");
    expect(applyTransforms("call me", mapping({ target: "t", value: "lead.phone", phoneFormat: "e164" }))).toBe("call me");
    expect(applyTransforms(null, mapping({ target: "t", value: "lead.phone", phoneFormat: "e164" }))).toBeNull();
  });

  it("joins several fields with a separator, leaving empty parts out", () => {
    const ctx = testContext(testLead({ substatus: null, office: " " }));
    expect(joinFields(["lead.firstName", "lead.lastName"], " ", ctx)).toBe("Ada Lovelace");
    expect(joinFields(["lead.firstName", "lead.substatus", "lead.office", "lead.lastName"], ", ", ctx)).toBe("Ada, Lovelace");
    expect(joinFields(["lead.customFields", "lead.score"], "-", ctx)).toBe("12");
    const m = mapping({ target: "full_name", source: "join", value: "lead.firstName, lead.lastName", case: "upper" });
    expect(applyMappings({ mode: "custom", fields: [m, mapping({ target: "sep", source: "join", value: "lead.office,lead.customFields.state", separator: "/" })] }, ctx)).toEqual({
      full_name: "ADA LOVELACE",
      sep: "ma",
    });
  });

  it("sends a static value as it is, with transforms", () => {
    const ctx = testContext();
    const fields = [mapping({ target: "vendor", source: "static", value: "acme" }), mapping({ target: "src", source: "static", value: " web ", trim: true, case: "upper" })];
    expect(applyMappings({ mode: "custom", fields }, ctx)).toEqual({ vendor: "acme", src: "WEB" });
  });

  it("refuses a join without fields or with a path that is not a field", () => {
    expect(mappingSchema.safeParse({ target: "t", source: "join", value: "" }).success).toBe(false);
    expect(mappingSchema.safeParse({ target: "t", source: "join", value: "lead.firstName, nope" }).success).toBe(false);
    expect(mappingSchema.safeParse({ target: "t", phoneCountryCode: "+0", value: "lead.phone" }).success).toBe(false);
  });

  it("reads a stored mapping without the new settings as before", () => {
    const stored = { target: "email", source: "field", value: "lead.email", defaultValue: "", trim: false, digitsOnly: false, case: "none", dateFormat: "" };
    expect(mappingSchema.parse(stored)).toEqual(stored);
  });
});
