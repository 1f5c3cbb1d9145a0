import { describe, expect, it } from "vitest";
import { flattenFields, renderPayload, type PayloadSettings } from "./payload";
import { testContext, testEnvelope } from "./testing";

const settings = (s: Partial<PayloadSettings>): PayloadSettings => ({ method: "POST", payloadFormat: "JSON", payloadTemplate: "", wrapInEnvelope: false, ...s });
const URL_ = "https://hooks.example.com/in?src=lh";

describe("flattenFields", () => {
  it("names nested values with dots, writes null as empty and arrays as JSON", () => {
    expect(flattenFields({ name: { first: "Ada", last: null }, tags: ["a", { b: 1 }], score: 12 })).toEqual([
      ["name.first", "Ada"],
      ["name.last", ""],
      ["tags", '["a",{"b":1}]'],
      ["score", "12"],
    ]);
  });
});

describe("renderPayload", () => {
  const fields = { email: "ada@example.com", name: { first: "Ada" } };

  it("GET: no body, the fields appended to the URL's own query", () => {
    expect(renderPayload(settings({ method: "GET" }), URL_, testEnvelope(), testContext(), fields)).toEqual({
      url: "https://hooks.example.com/in?src=lh&email=ada%40example.com&name.first=Ada",
      contentType: null,
      body: "",
    });
    expect(renderPayload(settings({ method: "GET" }), URL_, testEnvelope(), testContext(), null).url).toBe(URL_);
  });

  it("JSON: the fields alone, or inside the envelope as data.lead", () => {
    const envelope = testEnvelope();
    expect(renderPayload(settings({}), URL_, envelope, testContext(), fields)).toEqual({ url: URL_, contentType: "application/json", body: JSON.stringify(fields) });
    const wrapped = JSON.parse(renderPayload(settings({ wrapInEnvelope: true }), URL_, envelope, testContext(), fields).body);
    expect(wrapped).toEqual({ ...envelope, data: { ...envelope.data, lead: fields } });
  });

  it("FORM: URL-encoded pairs", () => {
    expect(renderPayload(settings({ payloadFormat: "FORM" }), URL_, testEnvelope(), testContext(), fields)).toEqual({
      url: URL_,
      contentType: "application/x-www-form-urlencoded",
      body: "email=ada%40example.com&name.first=Ada",
    });
  });

  it("XML and TEMPLATE: the template rendered with the fields", () => {
    const xml = renderPayload(settings({ payloadFormat: "XML", payloadTemplate: "<e>{{ fields.email }}</e><id>{{ lead.id }}</id>" }), URL_, testEnvelope(), testContext(), fields);
    expect(xml).toEqual({ url: URL_, contentType: "application/xml", body: "<e>ada@example.com</e><id>lead_1</id>" });
    const text = renderPayload(settings({ payloadFormat: "TEMPLATE", payloadTemplate: "{{ fields.name.first }}" }), URL_, testEnvelope(), testContext(), fields);
    expect(text).toEqual({ url: URL_, contentType: "text/plain; charset=utf-8", body: "Ada" });
  });
});
