import { describe, expect, it } from "vitest";
import { BATCH_MESSAGES, BATCH_OFF, batchFormValues, batchRefusal, batchSettingSchema, parseBatch, storedBatch } from "./batch";

const on = { enabled: true, maxLeads: 50, maxSeconds: 30, format: "csv" as const };
const plain = { method: "POST", payloadFormat: "JSON", limitsSet: false, duplicatesOn: false, orderedPerLead: false };

describe("batch setting", () => {
  it("is off by default and stored as null when off", () => {
    expect(batchSettingSchema.parse({})).toEqual(BATCH_OFF);
    expect(storedBatch(BATCH_OFF)).toBeNull();
    expect(storedBatch(on)).toEqual({ maxLeads: 50, maxSeconds: 30, format: "csv" });
  });

  it("reads the stored column back (null or unreadable: off)", () => {
    expect(parseBatch(null)).toBeNull();
    expect(parseBatch({ maxLeads: 1, maxSeconds: 30, format: "json" })).toBeNull();
    expect(parseBatch({ maxLeads: 5, maxSeconds: 1, format: "json" })).toEqual({ maxLeads: 5, maxSeconds: 1, format: "json" });
    expect(batchFormValues({ maxLeads: 50, maxSeconds: 30, format: "csv" })).toEqual(on);
    expect(batchFormValues(null)).toEqual(BATCH_OFF);
  });

  it("takes 2..1000 leads and 1..86400 seconds, whole numbers, and json or csv", () => {
    const issues = (v: object) => batchSettingSchema.safeParse({ ...on, ...v }).error?.issues.map((i) => i.message);
    expect(issues({ maxLeads: 2, maxSeconds: 1 })).toBeUndefined();
    expect(issues({ maxLeads: 1000, maxSeconds: 86_400 })).toBeUndefined();
    expect(issues({ maxLeads: 1 })).toEqual([BATCH_MESSAGES.maxLeads]);
    expect(issues({ maxLeads: 1001 })).toEqual([BATCH_MESSAGES.maxLeads]);
    expect(issues({ maxLeads: 2.5 })).toEqual([BATCH_MESSAGES.maxLeads]);
    expect(issues({ maxSeconds: 0 })).toEqual([BATCH_MESSAGES.maxSeconds]);
    expect(issues({ maxSeconds: 86_401 })).toEqual([BATCH_MESSAGES.maxSeconds]);
    expect(issues({ format: "xml" })).toEqual([BATCH_MESSAGES.format]);
  });

  it("is refused for GET (no body), for a body that is not JSON, and with the controls that decide per delivery", () => {
    expect(batchRefusal({ ...plain, batch: on })).toBeNull();
    expect(batchRefusal({ ...plain, payloadFormat: "XML", batch: BATCH_OFF })).toBeNull();
    expect(batchRefusal({ ...plain, payloadFormat: "XML", batch: on })).toBe(BATCH_MESSAGES.payloadFormat);
    expect(batchRefusal({ ...plain, payloadFormat: "TEMPLATE", batch: on })).toBe(BATCH_MESSAGES.payloadFormat);
    expect(batchRefusal({ ...plain, method: "GET", batch: on })).toBe(BATCH_MESSAGES.method);
    expect(batchRefusal({ ...plain, method: "GET", batch: BATCH_OFF })).toBeNull();
    for (const other of [{ limitsSet: true }, { duplicatesOn: true }, { orderedPerLead: true }]) {
      expect(batchRefusal({ ...plain, ...other, batch: on })).toBe(BATCH_MESSAGES.otherControls);
    }
  });
});
