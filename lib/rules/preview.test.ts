import { describe, expect, it } from "vitest";
import { emptyAuthForm } from "@/lib/rules/form/credentials";
import { mappingSchema } from "@/lib/domain/rule/request";
import { emptyRequestForm } from "@/lib/rules/form/request";
import { withQueryKey } from "../delivery/transport/auth/api-key";
import { answerPaths, sampleAnswers } from "./answer-paths";
import { MASK, previewRequest } from "./preview";

describe("the preview of an API key in the query", () => {
  it("shows the URL as the sender builds it: the rule's own query kept byte for byte", () => {
    const url = "https://crm.example.com/h?q=a%20b&x=~";
    const res = previewRequest({
      organization: { id: "org_1", name: "Acme" }, trigger: "lead.created", url, request: emptyRequestForm(),
      auth: { ...emptyAuthForm(), type: "API_KEY", keyName: "api_key", keyIn: "query" }, signatureScheme: "STANDARD",
    });
    expect(res.ok && res.url).toBe(withQueryKey(url, "api_key", MASK));
    expect(res.ok && res.url).toMatch(/^https:\/\/crm\.example\.com\/h\?q=a%20b&x=~&api_key=/);
  });
});

describe("the preview of computed fields", () => {
  it("renders a value map, a phone format, a join and a static value for the sample lead", () => {
    const fieldMappings = [
      { target: "case", value: "lead.caseType", valueMap: [{ from: "personal injury", to: "PI" }], valueMapIgnoreCase: true },
      { target: "phone", value: "lead.phone", phoneFormat: "e164" as const },
      { target: "name", source: "join" as const, value: "lead.firstName, lead.lastName" },
      { target: "vendor", source: "static" as const, value: "acme" },
    ].map((m) => mappingSchema.parse(m));
    const res = previewRequest({
      organization: { id: "org_1", name: "Acme" }, trigger: "lead.created", url: "https://crm.example.com/h",
      request: { ...emptyRequestForm(), mappingMode: "custom", wrapInEnvelope: false, fieldMappings }, auth: emptyAuthForm(), signatureScheme: "STANDARD",
    });
    expect(res.ok && JSON.parse(res.body)).toEqual({ case: "PI", phone: "+15550104477", name: "Jane O'Neil", vendor: "acme" });
  });
});

describe("the preview of an earlier rule's answer", () => {
  it("renders answers.<rule id>.<name> in a template and a field mapping from the sample answers", () => {
    const answers = sampleAnswers(answerPaths([{ id: "rule_Buyer", title: "Buyer", responseRules: { parsers: [{ name: "remoteId", kind: "json", path: "data.id" }] } }]));
    const fieldMappings = [
      { target: "ref", source: "template" as const, value: "REF-{{ answers.rule_Buyer.remoteId }}" },
      { target: "remote", value: "answers.rule_Buyer.remoteId" },
    ].map((m) => mappingSchema.parse(m));
    const res = previewRequest({
      organization: { id: "org_1", name: "Acme" }, trigger: "lead.updated", answers, url: "https://crm.example.com/h",
      request: { ...emptyRequestForm(), mappingMode: "custom", wrapInEnvelope: false, fieldMappings }, auth: emptyAuthForm(), signatureScheme: "STANDARD",
    });
    expect(res.ok && JSON.parse(res.body)).toEqual({ ref: "REF-sample remoteId", remote: "sample remoteId" });
  });
});
